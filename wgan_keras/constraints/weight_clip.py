"""Weight clipping to `[-clip_value, clip_value]`."""

import keras
from keras import ops

from wgan_keras._utils.validation import validate_positive_float


@keras.saving.register_keras_serializable(package="wgan_keras")
class WeightClip(keras.constraints.Constraint):
    """Clips every entry of a weight to `[-clip_value, clip_value]`.

    Keras optimizers apply a variable's constraint right after each update, so a
    critic whose variables carry this constraint stays clipped after every critic
    step, which is what Algorithm 1 of the WGAN paper does.

    Args:
        clip_value: positive float `c`; the paper uses 0.01.

    Example:

    ```python
    layer = keras.layers.Dense(1, kernel_constraint=wk.constraints.WeightClip(0.01))
    ```

    Reference:
        Arjovsky et al., "Wasserstein GAN", 2017, Algorithm 1, line 8.
    """

    def __init__(self, clip_value=0.01):
        validate_positive_float("clip_value", clip_value)
        self.clip_value = float(clip_value)

    def __call__(self, w):
        return ops.clip(w, -self.clip_value, self.clip_value)

    def get_config(self):
        return {"clip_value": self.clip_value}
