"""ResNet generators and critics: the WGAN-GP and SN-GAN CIFAR-10 networks."""

import keras

from wgan_keras._utils.validation import validate_int, validate_positive_float
from wgan_keras.layers import Conv2D
from wgan_keras.networks.common import (
    NetworkConfig,
    check_conditioning,
    check_model_kwargs,
    critic_inputs,
    critic_outputs,
    labels_input,
    normalizer,
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


def _widths(channels, count, name="channels"):
    """Per-stage widths: `count` copies of an int, or a list of `count` ints."""
    if isinstance(channels, int) and not isinstance(channels, bool):
        validate_int(name, channels)
        return [channels] * count
    widths = list(channels) if isinstance(channels, (list, tuple)) else None
    if (
        widths is None
        or len(widths) != count
        or not all(
            isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in widths
        )
    ):
        raise ValueError(
            f"`{name}` must be an int >= 1 or a list of {count} of them here. "
            f"Received: {name}={channels!r}"
        )
    return widths


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
    `channels=256` SN-GAN's (`resnet_32.py`, 4,276,739); with
    `num_classes=10`, their conditional versions (1,218,307 and 4,304,387).
    SN-GAN's ImageNet generator (`resnet_64.py`, 17,974,915 parameters) is
    `image_shape=(64, 64, 3), channels=(1024, 512, 256, 128, 64),
    num_classes=1000`.

    Args:
        latent_dim: int, size of the noise vector.
        image_shape: `(size, size, channels)`, a side that halves down to 3-7.
        channels: int, the width of every block; or a list: the width of the
            base map, then each block's output width (one more than there
            are blocks).
        batch_norm_epsilon: float, the batch norm's variance epsilon (1e-5,
            as tflib's).
        num_classes: None (unconditional) or an int >= 2: the generator then
            takes `[z, labels]`, and the blocks' batch norms have a scale and
            offset per class (the output batch norm stays shared, as in both
            references).

    Example:

    ```python
    generator = wk.networks.ResNetGenerator(image_shape=(32, 32, 3))
    images = generator(keras.random.normal((16, 128)))  # (16, 32, 32, 3)
    ```

    Reference:
        Gulrajani et al. 2017, "Improved Training of Wasserstein GANs"
        (gan_cifar_resnet.py); Miyato et al. 2018, "Spectral Normalization for
        Generative Adversarial Networks" (resnet_32.py); Miyato & Koyama
        2018, "cGANs with Projection Discriminator" (resnet_64.py).
    """

    config_arguments = (
        "latent_dim",
        "image_shape",
        "channels",
        "batch_norm_epsilon",
        "num_classes",
    )

    def __init__(
        self,
        latent_dim=128,
        image_shape=(32, 32, 3),
        channels=128,
        batch_norm_epsilon=BATCH_NORM_EPSILON,
        num_classes=None,
        **kwargs,
    ):
        check_model_kwargs("ResNetGenerator", kwargs)
        validate_int("latent_dim", latent_dim)
        validate_positive_float("batch_norm_epsilon", batch_norm_epsilon)
        check_conditioning(num_classes, "projection")
        image_shape, base, num_blocks = _halvings(image_shape, smallest=7)
        widths = _widths(channels, num_blocks + 1)
        normalize = normalizer(num_classes, batch_norm_epsilon)

        def normalized(x, labels, name):
            return keras.layers.ReLU()(normalize(x, labels, name))

        # === Functional model ===
        z = keras.Input(shape=(latent_dim,), name="z")
        labels = labels_input() if num_classes is not None else None
        x = keras.layers.Dense(base * base * widths[0], name="project")(z)
        x = keras.layers.Reshape((base, base, widths[0]))(x)
        for i, width in enumerate(widths[1:]):
            upsample = keras.layers.UpSampling2D(2, interpolation="nearest")
            shortcut = Conv2D(width, 1, name=f"block{i}_shortcut")(upsample(x))
            h = upsample(normalized(x, labels, f"block{i}_bn1"))
            h = Conv2D(width, 3, padding="same", name=f"block{i}_conv1")(h)
            h = normalized(h, labels, f"block{i}_bn2")
            h = Conv2D(width, 3, padding="same", name=f"block{i}_conv2")(h)
            x = keras.layers.Add()([shortcut, h])
        x = normalized(x, None, "output_bn")
        x = Conv2D(image_shape[-1], 3, padding="same", name="output_conv")(x)
        images = keras.layers.Activation("tanh", name="images")(x)
        inputs = z if labels is None else [z, labels]
        super().__init__(inputs=inputs, outputs=images, **kwargs)

        # === Config ===
        self.latent_dim = latent_dim
        self.image_shape = image_shape
        self.channels = channels
        self.batch_norm_epsilon = batch_norm_epsilon
        self.num_classes = num_classes


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
    CIFAR-10 critic (1,053,825 trainable parameters; with `num_classes=10,
    conditioning="auxiliary"` its ACGAN version, 1,055,115); with
    `spectral_norm=True, pooling="sum", output_bias=False`, SN-GAN's
    (`snresnet_32.py`, 1,053,824; projection with `num_classes=10`,
    1,055,104). SN-GAN's ImageNet critic (`snresnet_64.py`, 11,165,441) is
    `image_shape=(64, 64, 3), channels=(64, 128, 256, 512, 1024),
    num_plain_blocks=0, spectral_norm=True, pooling="sum", num_classes=1000`.

    Args:
        image_shape: `(size, size, channels)`, a side that halves down to 3-8.
        channels: int, the width of every block; or a list of each block's
            width, every block but the last `num_plain_blocks` halving the
            size.
        num_plain_blocks: int >= 0, blocks after the last downsampling (2).
        pooling: `"mean"` or `"sum"` over the final map.
        output_bias: bool, a bias in the final dense layer.
        spectral_norm: bool, wrap every convolution and the dense layer in
            `wk.layers.SpectralNormalization` (for `wk.SNWGAN`).
        power_iterations: int, power iterations of the spectral normalization.
        num_classes: None (unconditional) or an int >= 2.
        conditioning: `"projection"` (takes `[images, labels]`) or
            `"auxiliary"` (returns `[scores, class_logits]`), as in
            `wk.networks.DCGANCritic`.

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
        "num_classes",
        "conditioning",
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
        num_classes=None,
        conditioning="projection",
        **kwargs,
    ):
        check_model_kwargs("ResNetCritic", kwargs)
        validate_int("num_plain_blocks", num_plain_blocks, minimum=0)
        validate_int("power_iterations", power_iterations)
        check_conditioning(num_classes, conditioning)
        if pooling not in POOLINGS:
            raise ValueError(
                f"`pooling` must be one of {POOLINGS}. Received: pooling={pooling!r}"
            )
        image_shape, base, num_down = _halvings(image_shape, smallest=8)
        if isinstance(channels, (list, tuple)):
            num_down = _down_blocks(image_shape, len(channels), num_plain_blocks)
            base = image_shape[0] // 2**num_down
        widths = _widths(channels, num_down + num_plain_blocks)
        sn = spectral_norm_wrapper(spectral_norm, power_iterations)

        def conv(x, width, kernel, name):
            return sn(Conv2D(width, kernel, padding="same", name=name))(x)

        def pool(x):
            return keras.layers.AveragePooling2D(2)(x)

        relu = keras.layers.ReLU

        # === Functional model ===
        images = keras.Input(shape=image_shape, name="images")
        width = widths[0]
        h = conv(images, width, 3, "block0_conv1")
        h = conv(relu()(h), width, 3, "block0_conv2")
        shortcut = conv(pool(images), width, 1, "block0_shortcut")
        x = keras.layers.Add()([pool(h), shortcut])
        for i, width in enumerate(widths[1:], start=1):
            # The hidden width is the input's, as in both references.
            h = conv(relu()(x), x.shape[-1], 3, f"block{i}_conv1")
            h = conv(relu()(h), width, 3, f"block{i}_conv2")
            down = i < num_down
            if down or width != x.shape[-1]:
                x = conv(x, width, 1, f"block{i}_shortcut")
            if down:
                h, x = pool(h), pool(x)
            x = keras.layers.Add()([x, h])
        x = relu()(x)
        x = keras.layers.GlobalAveragePooling2D()(x)
        if pooling == "sum":  # SN-GAN sums over the map: the mean times its size
            x = keras.layers.Rescaling(float(base * base))(x)
        labels = labels_input()
        outputs = critic_outputs(x, labels, num_classes, conditioning, sn, output_bias)
        inputs = critic_inputs(images, labels, num_classes, conditioning)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)

        # === Config ===
        self.image_shape = image_shape
        self.channels = channels
        self.num_plain_blocks = num_plain_blocks
        self.pooling = pooling
        self.output_bias = output_bias
        self.spectral_norm = spectral_norm
        self.power_iterations = power_iterations
        self.num_classes = num_classes
        self.conditioning = conditioning


def _down_blocks(image_shape, num_blocks, num_plain_blocks):
    """Downsampling blocks of a critic given its block widths, checked."""
    num_down = num_blocks - num_plain_blocks
    if num_down < 1 or image_shape[0] % 2**num_down:
        raise ValueError(
            f"A critic of {num_blocks} blocks with `num_plain_blocks="
            f"{num_plain_blocks}` halves the image {num_down} times, which "
            f"needs at least one halving and a side divisible by 2**{num_down}. "
            f"Received: image_shape={image_shape!r}, {num_blocks} channels"
        )
    return num_down
