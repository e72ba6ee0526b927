"""DCGAN generators and critics for 28x28 grey and 32x32 or 64x64 colour images."""

import keras

from wgan_keras._utils.validation import validate_int, validate_positive_float
from wgan_keras.layers import BatchNormalization, Conv2D, Conv2DTranspose
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

# The papers' code normalizes with PyTorch's and tflib's epsilon; models saved
# before the networks took `batch_norm_epsilon` used Keras' default.
BATCH_NORM_EPSILON = 1e-5
KERAS_BATCH_NORM_EPSILON = 1e-3


def _validate_image_shape(image_shape):
    shape = tuple(image_shape) if isinstance(image_shape, (list, tuple)) else None
    if (
        shape is None
        or len(shape) != 3
        or not all(isinstance(d, int) and d > 0 for d in shape)
        or shape[0] != shape[1]
        or shape[0] < 8
    ):
        raise ValueError(
            "`image_shape` must be (size, size, channels) with size >= 8, e.g. "
            f"(28, 28, 1), (32, 32, 3) or (64, 64, 3). Received: "
            f"image_shape={image_shape!r}"
        )
    return shape


def spatial_sizes(size):
    """Feature-map sizes from the image down to the 3x3 or 4x4 base.

    Each step halves the size, rounding up: 28 -> [28, 14, 7, 4] (the WGAN-GP
    MNIST network, which crops 8 to 7), 32 -> [32, 16, 8, 4] and
    64 -> [64, 32, 16, 8, 4] (the DCGAN LSUN network).
    """
    sizes = [size]
    while sizes[-1] > 4:
        sizes.append((sizes[-1] + 1) // 2)
    return sizes


@keras.saving.register_keras_serializable(package="wgan_keras")
class DCGANGenerator(NetworkConfig, keras.Model):
    """DCGAN generator: a dense projection, then stride-2 transposed convolutions.

    Channels halve at each upsampling, from `dim * 2**(n - 1)` at the 4x4 base to
    `dim` before the last layer, which outputs `image_shape[-1]` channels through
    `tanh` (images in [-1, 1]). For 28x28 the 8x8 map is cropped to 7x7, as in the
    WGAN-GP MNIST network.

    Args:
        latent_dim: int, size of the noise vector `z`.
        image_shape: `(size, size, channels)`, e.g. `(28, 28, 1)`,
            `(32, 32, 3)`, `(64, 64, 3)`.
        dim: int, width multiplier (64 in both papers).
        kernel_size: int, size of the transposed-convolution kernels (5 as in
            WGAN-GP; DCGAN uses 4).
        batch_norm: bool, batch normalization after the projection and each
            hidden upsampling (DCGAN). The WGAN-GP MNIST generator has none.
        batch_norm_epsilon: float, the batch norm's variance epsilon: 1e-5 as
            in the papers' code (PyTorch's default, tflib's value), not Keras'
            1e-3.
        num_classes: None (unconditional) or an int >= 2: the generator then
            takes `[z, labels]` (integer labels, shape `(batch,)`) and every
            batch norm has a scale and offset per class
            (`wk.layers.ConditionalBatchNormalization`); needs `batch_norm`.

    Example:

    ```python
    generator = wk.networks.DCGANGenerator(latent_dim=128, image_shape=(28, 28, 1))
    images = generator(keras.random.normal((16, 128)))  # (16, 28, 28, 1)
    conditional = wk.networks.DCGANGenerator(num_classes=10)
    sevens = conditional([keras.random.normal((16, 128)), np.full(16, 7)])
    ```

    Reference:
        Radford et al., "Unsupervised Representation Learning with Deep
        Convolutional Generative Adversarial Networks", 2016; Gulrajani et al.,
        "Improved Training of Wasserstein GANs", 2017 (gan_mnist.py).
    """

    config_arguments = (
        "latent_dim",
        "image_shape",
        "dim",
        "kernel_size",
        "batch_norm",
        "batch_norm_epsilon",
        "num_classes",
    )

    def __init__(
        self,
        latent_dim=128,
        image_shape=(28, 28, 1),
        dim=64,
        kernel_size=5,
        batch_norm=True,
        batch_norm_epsilon=BATCH_NORM_EPSILON,
        num_classes=None,
        **kwargs,
    ):
        check_model_kwargs("DCGANGenerator", kwargs)
        validate_positive_float("batch_norm_epsilon", batch_norm_epsilon)
        check_conditioning(num_classes, "projection")
        if num_classes is not None and not batch_norm:
            raise ValueError(
                "A conditional DCGANGenerator takes the labels through its batch "
                "norms (a scale and offset per class), so it needs them. "
                f"Received: num_classes={num_classes}, batch_norm=False"
            )
        image_shape = _validate_image_shape(image_shape)
        validate_int("latent_dim", latent_dim)
        validate_int("dim", dim)
        validate_int("kernel_size", kernel_size)
        sizes = spatial_sizes(image_shape[0])[::-1]  # e.g. [4, 7, 14, 28]
        num_upsamplings = len(sizes) - 1

        normalize = normalizer(num_classes, batch_norm_epsilon)

        # === Functional model ===
        z = keras.Input(shape=(latent_dim,), name="z")
        labels = labels_input() if num_classes is not None else None
        channels = dim * 2 ** (num_upsamplings - 1)
        x = keras.layers.Dense(
            sizes[0] * sizes[0] * channels, use_bias=not batch_norm, name="project"
        )(z)
        if batch_norm:
            x = normalize(x, labels, "project_bn")
        x = keras.layers.ReLU()(x)
        x = keras.layers.Reshape((sizes[0], sizes[0], channels))(x)  # (B, 4, 4, C)
        for i, size in enumerate(sizes[1:]):
            last = i == num_upsamplings - 1
            channels = image_shape[-1] if last else channels // 2
            x = Conv2DTranspose(
                channels,
                kernel_size,
                strides=2,
                padding="same",
                use_bias=last or not batch_norm,
                name=f"upsample_{i}",
            )(x)
            if x.shape[1] > size:  # 8 -> 7 on the way to 28
                crop = x.shape[1] - size
                x = keras.layers.Cropping2D(((0, crop), (0, crop)))(x)
            if last:
                x = keras.layers.Activation("tanh", name="images")(x)
            else:
                if batch_norm:
                    x = normalize(x, labels, f"upsample_{i}_bn")
                x = keras.layers.ReLU()(x)
        inputs = z if labels is None else [z, labels]
        super().__init__(inputs=inputs, outputs=x, **kwargs)

        # === Config ===
        self.latent_dim = latent_dim
        self.image_shape = image_shape
        self.dim = dim
        self.kernel_size = kernel_size
        self.batch_norm = batch_norm
        self.batch_norm_epsilon = batch_norm_epsilon
        self.num_classes = num_classes

    @classmethod
    def from_config(cls, config):
        # Models saved before `batch_norm_epsilon` existed used Keras' default.
        return cls(**{"batch_norm_epsilon": KERAS_BATCH_NORM_EPSILON, **config})


@keras.saving.register_keras_serializable(package="wgan_keras")
class DCGANCritic(NetworkConfig, keras.Model):
    """DCGAN critic: stride-2 convolutions with LeakyReLU(0.2), then one score.

    Channels double from `dim` at each downsampling until the map is 4x4 (or 3x3);
    a dense layer returns one unbounded score per image (no sigmoid).

    Args:
        image_shape: `(size, size, channels)`.
        dim: int, width multiplier (64 in both papers).
        kernel_size: int, convolution kernel size (5 as in WGAN-GP).
        spectral_norm: bool, wrap every convolution and the output layer in
            `wk.layers.SpectralNormalization` (for `wk.SNWGAN`).
        batch_norm: bool, batch normalization after every convolution but the
            first (the original WGAN's DCGAN critic). Must stay False for the
            gradient penalty, which batch statistics would break.
        batch_norm_epsilon: float, the batch norm's variance epsilon: 1e-5 as
            in the papers' code. With weights clipped to 0.01 the critic's
            activations have variances near 1e-5, which Keras' default of 1e-3
            would swamp, leaving the batch norm unable to normalize.
        power_iterations: int, power iterations of the spectral normalization.
        num_classes: None (unconditional) or an int >= 2, for a conditional GAN.
        conditioning: how a conditional critic uses the labels:
            `"projection"` (default) takes `[images, labels]` and adds
            `<embed(labels), features>` to the score (Miyato & Koyama 2018);
            `"auxiliary"` takes images and returns `[scores, class_logits]`
            for an ACGAN loss (Odena et al. 2017; the WGAN-GP paper's
            conditional run).

    Example:

    ```python
    critic = wk.networks.DCGANCritic(image_shape=(28, 28, 1))
    scores = critic(keras.random.normal((16, 28, 28, 1)))  # (16, 1)
    projection = wk.networks.DCGANCritic(num_classes=10, spectral_norm=True)
    scores = projection([keras.random.normal((16, 28, 28, 1)), np.full(16, 7)])
    ```

    Reference:
        Radford et al. 2016; Gulrajani et al. 2017 (gan_mnist.py); Miyato et al.
        2018 (spectral normalization); Miyato & Koyama, "cGANs with Projection
        Discriminator", ICLR 2018.
    """

    config_arguments = (
        "image_shape",
        "dim",
        "kernel_size",
        "spectral_norm",
        "batch_norm",
        "power_iterations",
        "batch_norm_epsilon",
        "num_classes",
        "conditioning",
    )

    def __init__(
        self,
        image_shape=(28, 28, 1),
        dim=64,
        kernel_size=5,
        spectral_norm=False,
        batch_norm=False,
        power_iterations=1,
        batch_norm_epsilon=BATCH_NORM_EPSILON,
        num_classes=None,
        conditioning="projection",
        **kwargs,
    ):
        check_model_kwargs("DCGANCritic", kwargs)
        check_conditioning(num_classes, conditioning)
        validate_positive_float("batch_norm_epsilon", batch_norm_epsilon)
        image_shape = _validate_image_shape(image_shape)
        validate_int("dim", dim)
        validate_int("kernel_size", kernel_size)
        validate_int("power_iterations", power_iterations)

        maybe_sn = spectral_norm_wrapper(spectral_norm, power_iterations)

        # === Functional model ===
        images = keras.Input(shape=image_shape, name="images")
        x = images
        for i in range(len(spatial_sizes(image_shape[0])) - 1):
            conv = Conv2D(
                dim * 2**i, kernel_size, strides=2, padding="same", name=f"conv_{i}"
            )
            x = maybe_sn(conv)(x)
            if batch_norm and i > 0:
                bn = BatchNormalization(epsilon=batch_norm_epsilon, name=f"conv_{i}_bn")
                x = bn(x)
            x = keras.layers.LeakyReLU(negative_slope=0.2)(x)
        x = keras.layers.Flatten()(x)
        labels = labels_input()
        outputs = critic_outputs(x, labels, num_classes, conditioning, maybe_sn, True)
        inputs = critic_inputs(images, labels, num_classes, conditioning)
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)

        # === Config ===
        self.image_shape = image_shape
        self.dim = dim
        self.kernel_size = kernel_size
        self.spectral_norm = spectral_norm
        self.batch_norm = batch_norm
        self.power_iterations = power_iterations
        self.batch_norm_epsilon = batch_norm_epsilon
        self.num_classes = num_classes
        self.conditioning = conditioning

    @classmethod
    def from_config(cls, config):
        # Models saved before `batch_norm_epsilon` existed used Keras' default.
        return cls(**{"batch_norm_epsilon": KERAS_BATCH_NORM_EPSILON, **config})
