"""`ExactWasserstein`: the true W1 by optimal transport, beside the estimate."""

import keras
import numpy as np

from wgan_keras._utils.validation import validate_int
from wgan_keras.metrics.distances import exact_wasserstein_1  # noqa: F401


class ExactWasserstein(keras.callbacks.Callback):
    """Logs the exact W1 between held-out real samples and generated ones.

    For low-dimensional data (the 2-D toys) the Wasserstein-1 distance can be
    computed exactly by optimal transport. Logged as `exact_wasserstein` beside
    the critic's `wasserstein_estimate`, it shows how near the critic is to the
    optimal 1-Lipschitz function: a good critic's estimate tracks it (from
    below: the estimate is a lower bound for a 1-Lipschitz critic). Generated
    samples come from a fixed latent batch (`seed`), in inference mode.

    Args:
        real_samples: `(n, d)` held-out real samples; n of a few thousand at
            most (exact transport is cubic in n).
        every_n_epochs: int >= 1.
        seed: int, seeds the fixed latent batch (n vectors).

    Example:

    ```python
    real = wk.datasets.gaussian_mixture_2d(1000, seed=1)
    history = gan.fit(data, epochs=10, callbacks=[wk.callbacks.ExactWasserstein(real)])
    history.history["exact_wasserstein"]
    ```

    Reference:
        Arjovsky et al. 2017, Theorem 3 (the critic's objective estimates W1
        up to the Lipschitz constant); Gulrajani et al. 2017, Section 5.
    """

    def __init__(self, real_samples, every_n_epochs=1, seed=0):
        super().__init__()
        validate_int("every_n_epochs", every_n_epochs)
        real = np.asarray(real_samples)
        if real.ndim < 2 or len(real) == 0:
            raise ValueError(
                "`real_samples` must be a non-empty (n, d) array. Received: "
                f"real_samples with shape {real.shape}"
            )
        if not np.all(np.isfinite(real)):
            raise ValueError("`real_samples` must be finite. Received: NaN or inf")
        self.real_samples = real.astype("float32")
        self.every_n_epochs = every_n_epochs
        self.seed = seed
        self.history = []

    def compute(self):
        """W1 between `real_samples` and as many generated samples, now."""
        gan = self.model
        z = (
            np.random.default_rng(self.seed)
            .standard_normal((len(self.real_samples), gan.latent_dim))
            .astype("float32")
        )
        fake = keras.ops.convert_to_numpy(gan.sampling_generator(z, training=False))
        return exact_wasserstein_1(self.real_samples, fake)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        value = self.compute()
        self.history.append((epoch, value))
        if logs is not None:
            logs["exact_wasserstein"] = value
