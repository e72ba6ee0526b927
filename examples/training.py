"""What train_mnist.py and train_images.py share: their flags and devices.

The networks, callbacks, backups and saving are the library's
(`wk.recipes`). Not a script: the two examples import it (they run from any
directory, as `python examples/<name>.py`, so this folder is on `sys.path`).
"""

import contextlib
import os

import keras
import numpy as np
from absl import app, flags

import wgan_keras as wk

HELD_OUT_SAMPLES = 1024


def define_flags(generator_steps, generator_steps_help, steps_per_epoch):
    """Defines the flags both image examples take, with their defaults."""
    flags.DEFINE_string("data_dir", None, "tensorflow-datasets data directory.")
    flags.DEFINE_enum(
        "method",
        "gp",
        ["clip", "gp", "sn"],
        "Lipschitz method: weight clipping (WGAN), gradient penalty (WGAN-GP) or "
        "spectral normalization (SN-GAN).",
    )
    # Bounds make absl name the flag and the value it refuses, before any work.
    positive = {"lower_bound": 1}
    flags.DEFINE_integer(
        "generator_steps", generator_steps, generator_steps_help, **positive
    )
    flags.DEFINE_integer(
        "steps_per_epoch",
        steps_per_epoch,
        "Generator updates between grids, logs and backups.",
        **positive,
    )
    flags.DEFINE_integer(
        "batch_size", 64, "Samples per critic batch (m = 64).", **positive
    )
    flags.DEFINE_integer(
        "critic_steps", 5, "Critic updates per generator update.", **positive
    )
    flags.DEFINE_integer("latent_dim", 128, "Noise size (128 in WGAN-GP).", **positive)
    flags.DEFINE_integer(
        "dim", 64, "Network width multiplier (64 in DCGAN).", **positive
    )
    flags.DEFINE_enum(
        "network",
        "dcgan",
        ["dcgan", "resnet"],
        "Image networks: DCGAN, or the CIFAR-10 ResNets of WGAN-GP and SN-GAN "
        "(their width at --dim=128; a GPU's work).",
    )
    flags.DEFINE_integer(
        "seed", 0, "Seed of weights, data order and training noise.", lower_bound=0
    )
    flags.DEFINE_float(
        "ema_decay",
        None,
        "Keep an EMA of the generator with this decay (e.g. 0.999) and sample, "
        "save and export it; unset: none.",
    )
    flags.DEFINE_integer(
        "learning_rate_decay_start",
        None,
        "Generator step from which both learning rates fall linearly to 0 at "
        "--generator_steps (0: WGAN-GP's CIFAR-10 code); unset: constant rates.",
        lower_bound=0,
    )
    flags.DEFINE_bool(
        "smoke", False, "A few steps on synthetic data at tiny width (CI)."
    )
    flags.DEFINE_bool(
        "conditional",
        False,
        "Train a class-conditional GAN on the labels: per-class batch norm in "
        "the generator, a projection critic (clip, sn) or an auxiliary "
        "classifier (gp). Needs labelled data: a .npz in mnist.npz's layout.",
    )
    flags.DEFINE_enum(
        "distribute",
        "none",
        list(DISTRIBUTE_BACKENDS),
        "Several devices: 'mirrored' (TensorFlow, the GPUs of this host), "
        "'multi_worker' (TensorFlow, hosts listed in TF_CONFIG), 'data_parallel' "
        "(JAX, every device of every process). --batch_size is the global batch.",
    )
    flags.DEFINE_enum(
        "dtype_policy",
        "float32",
        ["float32", "mixed_float16", "mixed_bfloat16"],
        "Keras dtype policy; mixed policies compute in 16 bits, keep float32 "
        "weights, and score and penalize in float32. mixed_bfloat16 is the "
        "faster choice on GPUs and on CPUs with AVX512-BF16 (the DCGAN WGAN-GP "
        "step 1.58x float32 on PyTorch, 1.38x on TensorFlow, same quality: "
        "docs/training_quality.md), but not with JAX on CPU, where XLA "
        "computes bfloat16 in float32.",
    )


DISTRIBUTE_BACKENDS = {
    "none": None,
    "mirrored": "tensorflow",
    "multi_worker": "tensorflow",
    "data_parallel": "jax",
}


def distribution_scope(settings):
    """Sets the dtype policy; returns the scope to build and compile the GAN in.

    Several hosts: 'multi_worker' reads TF_CONFIG; 'data_parallel' with JAX
    calls `keras.distribution.initialize()`, which reads the coordinator
    address, process count and id from the environment (or a cluster manager).
    """
    keras.config.set_dtype_policy(settings.dtype_policy)
    mode = settings.distribute
    needed = DISTRIBUTE_BACKENDS[mode]
    if needed is not None and keras.config.backend() != needed:
        raise app.UsageError(
            f"--distribute={mode} needs KERAS_BACKEND={needed}. "
            f"Received: KERAS_BACKEND={keras.config.backend()}"
        )
    if mode in ("mirrored", "multi_worker"):
        import tensorflow as tf

        strategy = (
            tf.distribute.MirroredStrategy()
            if mode == "mirrored"
            else tf.distribute.MultiWorkerMirroredStrategy()
        )
        print(f"{mode}: {strategy.num_replicas_in_sync} replicas.")
        return strategy.scope()
    if mode == "data_parallel":
        if int(os.environ.get("KERAS_DISTRIBUTION_NUM_PROCESSES", "1")) > 1:
            keras.distribution.initialize()
        devices = keras.distribution.list_devices()
        keras.distribution.set_distribution(
            keras.distribution.DataParallel(devices=devices)
        )
        print(f"data_parallel: {len(devices)} devices.")
    return contextlib.nullcontext()


def schedule(settings):
    """`(generator_steps, steps_per_epoch, dim)` from the flags; tiny for --smoke."""
    try:
        return wk.recipes.schedule(
            settings.generator_steps,
            settings.steps_per_epoch,
            settings.dim,
            settings.learning_rate_decay_start,
            settings.smoke,
        )
    except ValueError as error:
        raise app.UsageError(str(error)) from None


def compiled_gan(settings, image_shape, dim, num_classes=None):
    """`wk.recipes.build_gan` from the flags, built and compiled in the
    distribution scope."""
    with distribution_scope(settings):
        gan = wk.recipes.build_gan(
            settings.method,
            image_shape,
            latent_dim=settings.latent_dim,
            dim=dim,
            critic_steps=settings.critic_steps,
            seed=settings.seed,
            ema_decay=settings.ema_decay,
            num_classes=num_classes,
            network=settings.network,
        )
        gan.compile()
    return gan


def conditional_data(train_source, test_source, count, batch_size):
    """`(images, (held-out images, labels), fit_kwargs)` for a conditional run:
    arrays with their labels, which `fit` batches and shuffles itself."""
    try:
        images, labels = wk.recipes.labelled_images(train_source, "train")
        held_out = wk.recipes.labelled_images(test_source, "test", count)
    except ValueError as error:
        raise app.UsageError(str(error)) from None
    return images, held_out, {"y": labels, "batch_size": batch_size}


def held_out_batch(source, count, data_dir=None):
    """Up to `count` test images as one array, for the held-out estimate."""
    dataset = wk.datasets.load_images(
        source, split="test", batch_size=1, shuffle=False, data_dir=data_dir
    )
    return np.concatenate([batch.numpy() for batch in dataset.take(count)])
