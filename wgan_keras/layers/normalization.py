"""Keras' batch normalization, with a fused training pass where a backend has one."""

import keras
from keras import ops

from wgan_keras import backend as wgan_backend


@keras.saving.register_keras_serializable(package="wgan_keras")
class BatchNormalization(keras.layers.BatchNormalization):
    """`keras.layers.BatchNormalization` with the same weights and outputs, faster.

    In training mode Keras computes the batch moments and the normalization
    as separate ops, which PyTorch runs one by one (a mean, a mean of
    squares, a subtraction, a product and a sum, each a pass over the
    activations, and as many again backward). On PyTorch and TensorFlow this
    layer calls the framework's fused batch-norm kernel instead (TensorFlow's
    graph does not fuse Keras' ops); JAX compiles the step and XLA fuses
    Keras' ops, so it runs those. Inference, masks, batch renormalization,
    synchronized statistics and an `axis` other than the last always run
    Keras' own layer.

    Takes the arguments of `keras.layers.BatchNormalization`; weights load
    both ways between the two classes.

    Example:

    ```python
    bn = wk.layers.BatchNormalization()
    outputs = bn(keras.random.normal((16, 7, 7, 128)), training=True)
    ```

    Reference:
        Ioffe and Szegedy, "Batch Normalization: Accelerating Deep Network
        Training by Reducing Internal Covariate Shift", ICML 2015.
    """

    def _fast_path(self, inputs, training, mask):
        return (
            bool(training)
            and self.trainable
            and mask is None
            and not self.renorm
            and not self.synchronized
            and self.axis in (-1, len(inputs.shape) - 1)
        )

    def call(self, inputs, training=None, mask=None):
        if not self._fast_path(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        # As Keras: statistics in float32 even under mixed precision.
        dtype = keras.backend.result_type(inputs.dtype, "float32")
        inputs = ops.cast(inputs, dtype)
        scale = ops.cast(self.gamma, dtype) if self.scale else None
        offset = ops.cast(self.beta, dtype) if self.center else None
        outputs, mean, variance = wgan_backend.batch_normalization(
            inputs, scale, offset, self.epsilon
        )
        momentum = self.momentum
        self.moving_mean.assign(
            ops.cast(self.moving_mean, dtype) * momentum + mean * (1.0 - momentum)
        )
        self.moving_variance.assign(
            ops.cast(self.moving_variance, dtype) * momentum
            + variance * (1.0 - momentum)
        )
        return ops.cast(outputs, self.compute_dtype)
