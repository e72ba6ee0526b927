"""Spectral normalization that works the same on TensorFlow, JAX and PyTorch."""

import keras
import numpy as np
from keras import ops

from wgan_keras._utils.validation import validate_int


@keras.saving.register_keras_serializable(package="wgan_keras")
class SpectralNormalization(keras.layers.Wrapper):
    """Divides the kernel of the wrapped layer by its largest singular value.

    The normalized kernel `W / sigma(W)` is computed in `call` and handed to the
    wrapped layer for that call only: the stored kernel is never overwritten, so
    the optimizer always updates the raw `W`, gradients flow through `sigma`, and
    the layer behaves the same under `jit` on every backend.

    `sigma` is estimated by power iteration on the kernel reshaped to
    `(-1, kernel.shape[-1])`. The left singular vector estimate `u` is a
    non-trainable variable: in training, each call runs `power_iterations` steps
    from the stored `u` and stores the result; in inference, the stored `u` is used
    as is (nothing is updated).

    Args:
        layer: a built or unbuilt layer with a `kernel` attribute (`Dense`,
            `Conv1D/2D/3D`, `Conv2DTranspose`, ...).
        power_iterations: int >= 1, power-iteration steps per training call
            (1 in the paper, carried over between calls through `u`).
        epsilon: small float added to norms to avoid dividing by zero.

    Example:

    ```python
    critic = keras.Sequential([
        keras.Input((2,)),
        wk.layers.SpectralNormalization(keras.layers.Dense(512)),
        keras.layers.ReLU(),
        wk.layers.SpectralNormalization(keras.layers.Dense(1)),
    ])
    ```

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", ICLR 2018, Algorithm 1.
    """

    def __init__(self, layer, power_iterations=1, epsilon=1e-12, **kwargs):
        super().__init__(layer, **kwargs)
        validate_int("power_iterations", power_iterations)
        self.power_iterations = power_iterations
        self.epsilon = epsilon

    def build(self, input_shape):
        super().build(input_shape)
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            raise ValueError(
                "`SpectralNormalization` needs a layer with a `kernel` weight. "
                f"Received: layer={self.layer.__class__.__name__} "
                f"(name={self.layer.name!r})"
            )
        self.u = self.add_weight(
            shape=(1, kernel.shape[-1]),
            initializer=keras.initializers.RandomNormal(),
            trainable=False,
            name="u",
        )
        self.built = True

    def _l2_normalize(self, x):
        return x / (ops.sqrt(ops.sum(ops.square(x))) + self.epsilon)

    def normalized_kernel(self, training=False):
        """Returns `(W / sigma, u)`: the normalized kernel and the new `u`."""
        kernel = self.layer.kernel.value
        # The power iteration in float32, also where the layer computes in
        # float16 (mixed precision).
        w = ops.reshape(ops.cast(kernel, "float32"), (-1, kernel.shape[-1]))
        u = ops.cast(self.u.value, "float32")  # (1, units)
        v = self._l2_normalize(ops.matmul(u, ops.transpose(w)))  # (1, fan_in)
        if training:
            for _ in range(self.power_iterations):
                u = self._l2_normalize(ops.matmul(v, w))
                v = self._l2_normalize(ops.matmul(u, ops.transpose(w)))
        u = ops.stop_gradient(u)
        v = ops.stop_gradient(v)
        sigma = ops.sum(ops.matmul(v, w) * u)
        return kernel / ops.cast(sigma, kernel.dtype), u

    def converge_singular_vector(self, max_iterations=1000, tolerance=1e-7):
        """Runs the power iteration on the current kernel to convergence.

        Training runs `power_iterations` steps per call, which lags when the
        top singular values of the kernel are close (spectral normalization
        itself pushes them together; ratios of 0.98 are common) and the
        weights keep moving. Called once after training (`WassersteinGAN.fit`
        does), this stores the top singular vector of the final kernel in `u`, so
        that inference divides by the kernel's true largest singular value. It
        changes no weight.

        Args:
            max_iterations: int, most power-iteration steps.
            tolerance: float, stop once `u` moves less than this (L2).

        Returns:
            The number of iterations run.
        """
        kernel = np.asarray(ops.convert_to_numpy(self.layer.kernel), "float64")
        w = kernel.reshape(-1, kernel.shape[-1])  # (fan_in, units)
        u = np.asarray(ops.convert_to_numpy(self.u), "float64")  # (1, units)
        iterations, moved = 0, np.inf
        while iterations < max_iterations and moved >= tolerance:
            iterations += 1
            v = u @ w.T
            v /= np.linalg.norm(v) + self.epsilon
            new_u = v @ w
            new_u /= np.linalg.norm(new_u) + self.epsilon
            moved = np.linalg.norm(new_u - u)
            u = new_u
        self.u.assign(u.astype(self.u.dtype))
        return iterations

    def call(self, inputs, training=False):
        kernel, u = self.normalized_kernel(training=training)
        if training:
            self.u.assign(ops.cast(u, self.u.dtype))
        # Run the wrapped layer with the normalized kernel swapped in for this call.
        mapping = [
            (v, kernel if v is self.layer.kernel else v.value)
            for v in self.layer.variables
        ]
        with keras.StatelessScope(state_mapping=mapping):
            return self.layer(inputs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"power_iterations": self.power_iterations, "epsilon": self.epsilon}
        )
        return config
