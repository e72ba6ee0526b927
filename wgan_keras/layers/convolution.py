"""Keras' 2-D convolutions, run the way each backend runs them fastest."""

import keras

from wgan_keras import backend as wgan_backend


def _fast_path(layer, transpose=False):
    """Whether `layer`'s configuration is one the backend primitives cover."""
    return (
        layer.data_format == "channels_last"
        and tuple(layer.dilation_rate) == (1, 1)
        and getattr(layer, "groups", 1) == 1
        and (not transpose or layer.output_padding is None)
        and all(k >= s for k, s in zip(layer.kernel_size, layer.strides))
    )


@keras.saving.register_keras_serializable(package="wgan_keras")
class Conv2D(keras.layers.Conv2D):
    """`keras.layers.Conv2D` with the same weights, outputs and gradients, faster.

    On JAX, the gradient with respect to the input of a strided convolution
    runs as a sub-pixel convolution instead of the input-dilated convolution
    that XLA's CPU compiler runs an order of magnitude slower
    (`wgan_keras.convolution`). On PyTorch, channels-last inputs go to oneDNN
    without Keras' layout copies. TensorFlow runs Keras' own op. Dilated,
    grouped and channels-first convolutions always run Keras' op.

    Takes the arguments of `keras.layers.Conv2D`; weights load both ways
    between the two classes.

    Example:

    ```python
    conv = wk.layers.Conv2D(64, 5, strides=2, padding="same")
    features = conv(keras.random.normal((16, 28, 28, 1)))  # (16, 14, 14, 64)
    ```

    Reference:
        Shi et al., "Real-Time Single Image and Video Super-Resolution Using an
        Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016.
    """

    def convolution_op(self, inputs, kernel):
        if not _fast_path(self):
            return super().convolution_op(inputs, kernel)
        return wgan_backend.conv2d(inputs, kernel, tuple(self.strides), self.padding)


@keras.saving.register_keras_serializable(package="wgan_keras")
class Conv2DTranspose(keras.layers.Conv2DTranspose):
    """`keras.layers.Conv2DTranspose` with the same weights and outputs, faster.

    On JAX, the transposed convolution runs as one stride-1 convolution that
    computes every output phase, then a depth-to-space shuffle (a sub-pixel
    convolution), instead of XLA's slow input-dilated convolution. On PyTorch,
    torch's transposed convolution runs at the output size instead of Keras'
    full size cropped afterwards. TensorFlow runs Keras' own op; so do
    dilated, channels-first and `output_padding` configurations.

    Takes the arguments of `keras.layers.Conv2DTranspose`; weights load both
    ways between the two classes.

    Example:

    ```python
    upsample = wk.layers.Conv2DTranspose(64, 5, strides=2, padding="same")
    images = upsample(keras.random.normal((16, 7, 7, 128)))  # (16, 14, 14, 64)
    ```

    Reference:
        Shi et al., CVPR 2016 (sub-pixel convolution).
    """

    def call(self, inputs):
        if not _fast_path(self, transpose=True):
            return super().call(inputs)
        outputs = wgan_backend.conv2d_transpose(
            inputs, self.kernel, tuple(self.strides), self.padding
        )
        if self.use_bias:
            outputs = keras.ops.add(outputs, self.bias)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs
