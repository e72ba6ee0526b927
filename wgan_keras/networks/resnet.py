"""ResNet generators and critics: the WGAN-GP and SN-GAN CIFAR-10 networks."""

import keras

from wgan_keras._utils.validation import validate_int, validate_positive_float
from wgan_keras.layers import BatchNormalization, Conv2D
from wgan_keras.networks.common import (
    NetworkConfig,
    check_model_kwargs,
    spectral_norm_wrapper,
)
from wgan_keras.networks.dcgan import BATCH_NORM_EPSILON

POOLINGS = ("mean", "sum")


def _halvings(image_shape, smallest):
    """How often the image side halves down to a base of at most `smallest`."""
    shape = tuple(image_shape) if isinstance(image_shape, (list, tuple)) else ()
    if (
        len(shape) != 3
        or not all(isinstance(d, int) and d > 0 for d in shape)
        or (shape[0] != shape[1])
    ):
        raise ValueError(
            "`image_shape` must be (size, size, channels), e.g. (32, 32, 3). "
            f"Received: image_shape={image_shape!r}"
        )
    size, halvings = shape[0], 0
    while size % 2 == 0 and size > smallest:
        size //= 2
        halvings += 1
    if halvings == 0 or not 3 <= size <= smallest:
        raise ValueError(
            "`image_shape` must have a side that halves at least once down to a "
            f"base of 3 to {smallest} pixels (28, 32, 48, 64, ...). Received: "
            f"image_shape={image_shape!r}"
        )
    return shape, size, halvings


@keras.saving.register_keras_serializable(package="wgan_keras")
class ResNetGenerator(NetworkConfig, keras.Model):
    """ResNet generator: a dense projection, then residual up-blocks.

    The noise is projected to a `base x base x channels` map (4x4 for 32x32
    and 64x64 images, 7x7 for 28x28), then each residual block doubles the
    size: batch norm, ReLU, nearest-neighbour upsampling, 3x3 convolution,
    batch norm, ReLU, 3x3 convolution, added to a 1x1 convolution of the
    upsampled input. Batch norm, ReLU and a 3x3 convolution to
    `image_shape[-1]` channels through `tanh` give the images.

    With `image_shape=(32, 32, 3)`, `channels=128` is the WGAN-GP CIFAR-10
    generator (`gan_cifar_resnet.py`, 1,204,483 trainable parameters) and
    `channels=256` SN-GAN's (`resnet_32.py`, 4,276,739).

    Args:
        latent_dim: int, size of the noise vector.
        image_shape: `(size, size, channels)`, a side that halves down to 3-7.
        channels: int, the width of every block.
        batch_norm_epsilon: float, the batch norm's variance epsilon (1e-5,
            as tflib's).

    Example:

    ```python
    generator = wk.networks.ResNetGenerator(image_shape=(32, 32, 3))
    images = generator(keras.random.normal((16, 128)))  # (16, 32, 32, 3)
    ```

    Reference:
        Gulrajani et al. 2017, "Improved Training of Wasserstein GANs"
        (gan_cifar_resnet.py); Miyato et al. 2018, "Spectral Normalization for
        Generative Adversarial Networks" (resnet_32.py).
    """

    config_arguments = (
        "latent_dim",
        "image_shape",
        "channels",
        "batch_norm_epsilon",
    )

    def __init__(
        self,
        latent_dim=128,
        image_shape=(32, 32, 3),
        channels=128,
        batch_norm_epsilon=BATCH_NORM_EPSILON,
        **kwargs,
    ):
        check_model_kwargs("ResNetGenerator", kwargs)
        validate_int("latent_dim", latent_dim)
        validate_int("channels", channels)
        validate_positive_float("batch_norm_epsilon", batch_norm_epsilon)
        image_shape, base, num_blocks = _halvings(image_shape, smallest=7)

        def normalized(x, name):
            x = BatchNormalization(epsilon=batch_norm_epsilon, name=name)(x)
            return keras.layers.ReLU()(x)

        # === Functional model ===
        z = keras.Input(shape=(latent_dim,), name="z")
        x = keras.layers.Dense(base * base * channels, name="project")(z)
        x = keras.layers.Reshape((base, base, channels))(x)
        for i in range(num_blocks):
            upsample = keras.layers.UpSampling2D(2, interpolation="nearest")
            shortcut = Conv2D(channels, 1, name=f"block{i}_shortcut")(upsample(x))
            h = upsample(normalized(x, f"block{i}_bn1"))
            h = Conv2D(channels, 3, padding="same", name=f"block{i}_conv1")(h)
            h = normalized(h, f"block{i}_bn2")
            h = Conv2D(channels, 3, padding="same", name=f"block{i}_conv2")(h)
            x = keras.layers.Add()([shortcut, h])
        x = normalized(x, "output_bn")
        x = Conv2D(image_shape[-1], 3, padding="same", name="output_conv")(x)
        images = keras.layers.Activation("tanh", name="images")(x)
        super().__init__(inputs=z, outputs=images, **kwargs)

        # === Config ===
        self.latent_dim = latent_dim
        self.image_shape = image_shape
        self.channels = channels
        self.batch_norm_epsilon = batch_norm_epsilon


@keras.saving.register_keras_serializable(package="wgan_keras")
class ResNetCritic(NetworkConfig, keras.Model):
    """ResNet critic: residual down-blocks with mean pooling, then one score.

    The first block convolves the image (3x3, ReLU, 3x3) and mean-pools it,
    beside a 1x1 convolution of the mean-pooled image. Each further down-block
    (ReLU, 3x3, ReLU, 3x3, mean pool, beside a 1x1 convolution then mean
    pool) halves the size down to 8x8 (7x7 for 28x28), then
    `num_plain_blocks` blocks keep it (identity shortcut). ReLU, a global
    mean (WGAN-GP) or sum (SN-GAN) over the map, and a dense layer give one
    unbounded score. No normalization, so the gradient penalty applies.

    With `image_shape=(32, 32, 3)` and `channels=128` this is the WGAN-GP
    CIFAR-10 critic (1,053,825 trainable parameters); with
    `spectral_norm=True, pooling="sum", output_bias=False`, SN-GAN's
    (`snresnet_32.py`, 1,053,824).

    Args:
        image_shape: `(size, size, channels)`, a side that halves down to 3-8.
        channels: int, the width of every block.
        num_plain_blocks: int >= 0, blocks after the last downsampling (2).
        pooling: `"mean"` or `"sum"` over the final map.
        output_bias: bool, a bias in the final dense layer.
        spectral_norm: bool, wrap every convolution and the dense layer in
            `wk.layers.SpectralNormalization` (for `wk.SNWGAN`).
        power_iterations: int, power iterations of the spectral normalization.

    Example:

    ```python
    critic = wk.networks.ResNetCritic(image_shape=(32, 32, 3))
    scores = critic(keras.random.normal((16, 32, 32, 3)))  # (16, 1)
    ```

    Reference:
        Gulrajani et al. 2017 (gan_cifar_resnet.py); Miyato et al. 2018
        (snresnet_32.py).
    """

    config_arguments = (
        "image_shape",
        "channels",
        "num_plain_blocks",
        "pooling",
        "output_bias",
        "spectral_norm",
        "power_iterations",
    )

    def __init__(
        self,
        image_shape=(32, 32, 3),
        channels=128,
        num_plain_blocks=2,
        pooling="mean",
        output_bias=True,
        spectral_norm=False,
        power_iterations=1,
        **kwargs,
    ):
        check_model_kwargs("ResNetCritic", kwargs)
        validate_int("channels", channels)
        validate_int("num_plain_blocks", num_plain_blocks, minimum=0)
        validate_int("power_iterations", power_iterations)
        if pooling not in POOLINGS:
            raise ValueError(
                f"`pooling` must be one of {POOLINGS}. Received: pooling={pooling!r}"
            )
        image_shape, base, num_down = _halvings(image_shape, smallest=8)
        sn = spectral_norm_wrapper(spectral_norm, power_iterations)

        def conv(x, kernel, name):
            return sn(Conv2D(channels, kernel, padding="same", name=name))(x)

        def pool(x):
            return keras.layers.AveragePooling2D(2)(x)

        relu = keras.layers.ReLU

        # === Functional model ===
        images = keras.Input(shape=image_shape, name="images")
        h = conv(relu()(conv(images, 3, "block0_conv1")), 3, "block0_conv2")
        x = keras.layers.Add()([pool(h), conv(pool(images), 1, "block0_shortcut")])
        for i in range(1, num_down + num_plain_blocks):
            h = conv(relu()(x), 3, f"block{i}_conv1")
            h = conv(relu()(h), 3, f"block{i}_conv2")
            if i < num_down:
                h, x = pool(h), pool(conv(x, 1, f"block{i}_shortcut"))
            x = keras.layers.Add()([x, h])
        x = relu()(x)
        x = keras.layers.GlobalAveragePooling2D()(x)
        if pooling == "sum":  # SN-GAN sums over the map: the mean times its size
            x = keras.layers.Rescaling(float(base * base))(x)
        dense = keras.layers.Dense(1, use_bias=output_bias, name="score")
        scores = sn(dense)(x)
        super().__init__(inputs=images, outputs=scores, **kwargs)

        # === Config ===
        self.image_shape = image_shape
        self.channels = channels
        self.num_plain_blocks = num_plain_blocks
        self.pooling = pooling
        self.output_bias = output_bias
        self.spectral_norm = spectral_norm
        self.power_iterations = power_iterations
