"""Train a DCGAN Wasserstein GAN on 32x32 or 64x64 colour images, resumably.

For users with a GPU: CIFAR-10 at 32x32, CelebA (centre crop 108, then 64x64,
as in DCGAN) and LSUN bedrooms at 64x64 (the WGAN paper's Figure 1), from
tensorflow-datasets, or any folder of images or .npz file. The networks are
the DCGAN layout (Radford et al. 2016) at `--image_size`; `--method` picks the
Lipschitz constraint with the papers' settings:

- gp:   gradient penalty 10, Adam(1e-4, 0, 0.9), no batch norm (Gulrajani et
        al. 2017, the 64x64 "DCGAN" and CIFAR experiments);
- clip: weight clipping 0.01, RMSprop(5e-5), batch norm (Arjovsky et al. 2017);
- sn:   spectral normalization in the critic, Adam(1e-4, 0.5, 0.9) (Miyato et
        al. 2018).

Outputs, resuming and flags as in train_mnist.py. Run:

    python examples/train_images.py --data=cifar10
    python examples/train_images.py --data=celeb_a --image_size=64 --data_dir=~/tfds
    python examples/train_images.py --data=path/to/folder --image_size=64
    python examples/train_images.py --smoke    # synthetic 32x32 colour, CI
    python examples/train_images.py --data=cifar10.npz --conditional --method=sn
        # class-conditional, on a .npz with labels (x_train, y_train, ...)
"""

import os
import sys

import keras
import numpy as np
from absl import app, flags

import wgan_keras as wk

import training  # examples/training.py

FLAGS = flags.FLAGS
training.define_flags(
    generator_steps=100_000,
    generator_steps_help="Generator updates in total (WGAN-GP: 100000).",
    steps_per_epoch=1000,
)
flags.DEFINE_string(
    "data",
    "cifar10",
    "A tensorflow-datasets name (cifar10, celeb_a, lsun_bedroom), a .npz file "
    "(x_train, x_test) or a folder of images.",
)
flags.DEFINE_enum("image_size", "32", ["32", "64"], "Image side: 32 or 64.")
flags.DEFINE_string(
    "output_dir", None, "Where outputs go; default outputs/<data>_<size>_<method>."
)


def synthetic_colour_images(count, size, seed):
    """Random colour discs on grey, uint8: data for smoke runs."""
    rng = np.random.default_rng(seed)
    rows, columns = np.mgrid[:size, :size]
    images = np.full((count, size, size, 3), 128, dtype="uint8")
    for image in images:
        centre = rng.uniform(0.25 * size, 0.75 * size, 2)
        radius = rng.uniform(0.1 * size, 0.3 * size)
        disc = (rows - centre[0]) ** 2 + (columns - centre[1]) ** 2 < radius**2
        image[disc] = rng.integers(0, 256, 3)
    return images


def main(argv):
    del argv
    size, method = int(FLAGS.image_size), FLAGS.method
    name = os.path.basename(os.path.normpath(FLAGS.data)).replace(".npz", "")
    suffix = "_conditional" if FLAGS.conditional else ""
    output_dir = FLAGS.output_dir or os.path.join(
        "outputs", f"{name}_{size}_{method}{suffix}"
    )
    steps, steps_per_epoch, dim = training.schedule(FLAGS)
    keras.utils.set_random_seed(FLAGS.seed)

    if FLAGS.smoke:
        train_source = synthetic_colour_images(640, size, FLAGS.seed)
        test_source = synthetic_colour_images(128, size, FLAGS.seed + 1)
    else:
        train_source = test_source = FLAGS.data
    held_out_count = 128 if FLAGS.smoke else training.HELD_OUT_SAMPLES
    fit_kwargs = {}
    if FLAGS.conditional:
        images, held_out, fit_kwargs = training.conditional_data(
            train_source, test_source, held_out_count, FLAGS.batch_size
        )
        shape = held_out[0].shape[1:]
    else:
        images = wk.datasets.load_images(
            train_source,
            image_size=size,
            batch_size=FLAGS.batch_size,
            seed=FLAGS.seed,
            data_dir=FLAGS.data_dir,
            repeat=True,
        )
        held_out = training.held_out_batch(test_source, held_out_count, FLAGS.data_dir)
        shape = held_out.shape[1:]
    if shape != (size, size, 3):
        raise app.UsageError(
            f"--data must hold {size}x{size} colour images (--image_size); "
            f"train_mnist.py trains on grey ones. Received: images of shape {shape}"
        )
    num_classes = 10 if FLAGS.conditional else None
    gan = training.compiled_gan(FLAGS, (size, size, 3), dim, num_classes)
    source = "synthetic discs" if FLAGS.smoke else FLAGS.data
    kind = "a class-conditional " if FLAGS.conditional else ""
    print(
        f"Training {kind}{type(gan).__name__} on {source} at {size}x{size} with the "
        f"{keras.config.backend()} backend under {FLAGS.dtype_policy}: {steps} "
        "generator steps in epochs of "
        f"{steps_per_epoch}, batch {FLAGS.batch_size}, {FLAGS.critic_steps} "
        "critic steps each."
    )
    wk.recipes.fit_run(
        gan,
        images,
        held_out,
        steps,
        steps_per_epoch,
        output_dir,
        command=" ".join(["python", "examples/train_images.py", *sys.argv[1:]]),
        learning_rate_decay_start=FLAGS.learning_rate_decay_start,
        **fit_kwargs,
    )


if __name__ == "__main__":
    app.run(main)
