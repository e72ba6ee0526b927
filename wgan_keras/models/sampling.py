"""Noise and samples: `generate_samples`, and each replica's rows of a draw."""

import keras
import numpy as np
from keras import ops

from wgan_keras import backend as wgan_backend
from wgan_keras._utils.labels import checked_labels
from wgan_keras._utils.validation import validate_int


def generator_classes(generator):
    """A conditional generator's class count (True where it takes `[z, labels]`
    without saying how many), or None for an unconditional one."""
    inputs = getattr(generator, "inputs", None)
    num_classes = getattr(generator, "num_classes", None)
    if num_classes is None and inputs and len(inputs) == 2:
        return True
    return num_classes


def generate_samples(
    generator, num_samples, seed=None, batch_size=256, latent_dim=None, labels=None
):
    """Samples of a generator in inference mode, from `default_rng(seed)` noise.

    The noise is numpy's, so a seed gives the same samples on every backend
    for the same weights. `WassersteinGAN.generate` and `wk.evaluation` use it.

    Args:
        generator: a `keras.Model` from `(batch, latent_dim)` noise, or from
            `[z, labels]` (conditional).
        num_samples: int >= 1.
        seed: int or None.
        batch_size: int, samples per generator call.
        latent_dim: int, default read from the generator's input.
        labels: a conditional generator's classes: one int for all samples or
            one per sample, each in `[0, num_classes)`; None cycles through the
            classes (`arange(num_samples) % num_classes`).

    Returns:
        A numpy array `(num_samples, *sample_shape)`.

    Example:

    ```python
    images = generate_samples(wk.load_generator("mnist_dcgan_gp"), 64, seed=0)
    ```
    """
    validate_int("num_samples", num_samples)
    validate_int("batch_size", batch_size)
    num_classes = generator_classes(generator)
    if num_classes is None and labels is not None:
        raise ValueError(
            "`labels` are for a conditional generator (inputs `[z, labels]`); "
            f"this one takes noise alone. Received: labels={labels!r}"
        )
    if num_classes is not None:
        if labels is None:
            if num_classes is True:
                raise ValueError(
                    "This generator takes `[z, labels]` but does not say how many "
                    "classes it has: pass `labels`. Received: labels=None"
                )
            labels = np.arange(num_samples) % num_classes
        maximum = np.iinfo("int32").max if num_classes is True else num_classes
        labels = checked_labels(labels, maximum, num_samples)
    if latent_dim is None:
        shape = generator.input_shape
        latent_dim = (shape[0] if num_classes is not None else shape)[-1]
    z = (
        np.random.default_rng(seed)
        .standard_normal((num_samples, latent_dim))
        .astype("float32")
    )

    def rows(start):
        z_rows = z[start : start + batch_size]
        if labels is None:
            return z_rows
        return [z_rows, labels[start : start + batch_size]]

    # predict_on_batch: compiled on TensorFlow and JAX (on JAX, 10,000 MNIST
    # samples take 3 s against 9-13 s eagerly), and without autograd on torch.
    outputs = [
        generator.predict_on_batch(rows(start))
        for start in range(0, num_samples, batch_size)
    ]
    return np.concatenate(outputs).astype("float32")  # float16 in mixed precision


# A grid of a conditional generator shows at most this many classes (a row
# each) unless told which.
MAX_GRID_CLASSES = 20


def class_grid_inputs(z, classes):
    """`[z, labels]` for a grid with a row per class: every `z` as each class.

    Args:
        z: `(columns, latent_dim)` noise, one column each.
        classes: the classes, one row each.

    Returns:
        `[z tiled to (rows * columns, latent_dim), labels (rows * columns,)]`,
        row-major: sample `i * columns + j` is `z[j]` as `classes[i]`.
    """
    labels = np.repeat(np.asarray(classes, "int32"), len(z))
    return [np.tile(np.asarray(z, "float32"), (len(classes), 1)), labels]


def replica_rows(draw, batch_size):
    """This replica's `batch_size` rows of `draw(global_batch_size)`.

    Under `tf.distribute` the replicas' seed states are mirrored, so a plain
    draw would give every replica the same noise. Instead each replica draws
    the noise of the whole global batch and keeps its own rows: the replicas'
    noise differs, and together it is exactly the noise a one-device step with
    the global batch draws. Elsewhere this is `draw(batch_size)`, split over
    the devices like the data where a JAX `keras.distribution` is set.

    Args:
        draw: a function of a row count returning a tensor with that many rows.
        batch_size: rows this replica needs.
    """
    replica, replicas = wgan_backend.replica_position()
    if replicas == 1:
        return wgan_backend.shard_batch(draw(batch_size))
    rows = draw(batch_size * replicas)
    start = [replica * batch_size] + [0] * (len(rows.shape) - 1)
    return ops.slice(rows, start, (batch_size, *rows.shape[1:]))


def batch_size_of(x):
    """The batch size of `x`: static where known, else a scalar tensor."""
    return x.shape[0] if x.shape[0] is not None else ops.shape(x)[0]


class Sampling:
    """`sample_latent` (training noise) and `generate` (numpy samples): a mix-in."""

    def sample_latent(self, batch_size):
        """Draws `(batch_size, latent_dim)` standard-normal noise.

        Under `tf.distribute`, `batch_size` is the replica's share and each
        replica gets its own rows of one global draw (`replica_rows`).
        """
        return replica_rows(
            lambda n: keras.random.normal(
                (n, self.latent_dim), seed=self.seed_generator
            ),
            batch_size,
        )

    def generate(self, num_samples, seed=None, batch_size=256, labels=None):
        """Samples from the generator in inference mode (its EMA where kept).

        The noise comes from `numpy.random.default_rng(seed)`, so a seed gives
        the same noise on every backend and the same samples for the same weights.

        Args:
            num_samples: int >= 1.
            seed: int or None.
            batch_size: int, samples per generator call.
            labels: a conditional GAN's classes to draw: one int for every
                sample or one per sample, in `[0, num_classes)`; None cycles
                through the classes. Refused by an unconditional GAN.

        Returns:
            A numpy array `(num_samples, *sample_shape)`; images in [-1, 1].

        Example:

        ```python
        sevens = gan.generate(16, labels=7, seed=0)  # a conditional GAN
        ```
        """
        return generate_samples(
            self.sampling_generator,
            num_samples,
            seed,
            batch_size,
            self.latent_dim,
            labels,
        )
