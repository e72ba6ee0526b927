"""Train a DCGAN Wasserstein GAN on MNIST, resumably.

The WGAN-GP paper's MNIST experiment (Gulrajani et al. 2017, gan_mnist.py): a
DCGAN generator (noise 128 -> 4x4x256 -> 7x7 -> 14x14 -> 28x28, tanh) and a
convolutional critic (64 -> 128 -> 256 channels, LeakyReLU 0.2). `--method`
picks the Lipschitz constraint with that paper's and the original papers'
settings:

- gp:   gradient penalty 10, Adam(1e-4, 0, 0.9), no batch norm anywhere;
- clip: weight clipping 0.01, RMSprop(5e-5), batch norm in both networks (the
        reference code's "wgan" mode);
- sn:   spectral normalization in the critic, Adam(1e-4, 0.5, 0.9), batch norm
        in the generator.

Training runs in chunks of --steps_per_epoch generator steps. After every chunk
it writes a sample grid, the Wasserstein curves and a backup; rerunning the
same command resumes from the backup. At the end it saves `gan.keras` (the
whole GAN, resumable) and `generator.keras`. Outputs go to --output_dir:

    grids/grid_epoch_0001.png ... grid.gif   samples of one fixed latent batch
    logs/steps.csv, epochs.csv, wasserstein.png   the estimate per step, held
                        out, and the Frechet distance per epoch
    tensorboard/wgan/   scalars and grids (`tensorboard --logdir <output_dir>`)
    backup/             the latest backup (resume point)
    run.json            the command, steps done and wall time so far

Run:

    python examples/train_mnist.py --data=../shared/data/mnist.npz
    python examples/train_mnist.py --data=mnist --method=sn   # tensorflow-datasets
    python examples/train_mnist.py --smoke                    # synthetic data, CI
    python examples/train_mnist.py --data=../shared/data/mnist.npz \
        --dtype_policy=mixed_bfloat16   # 1.4-1.6x faster where bfloat16 is native
    python examples/train_mnist.py --data=../shared/data/mnist.npz --conditional \
        --method=sn       # draws the digit it is asked for: a row per class
"""

import os
import sys

import keras
from absl import app, flags

import wgan_keras as wk

import training  # examples/training.py

FLAGS = flags.FLAGS
training.define_flags(
    generator_steps=200_000,
    generator_steps_help="Generator updates in total (gan_mnist.py: 200000).",
    steps_per_epoch=500,
)
flags.DEFINE_string(
    "data",
    "mnist",
    "MNIST source: a tensorflow-datasets name (mnist, fashion_mnist), a .npz "
    "file in Keras' mnist.npz layout, or a folder of 28x28 images.",
)
flags.DEFINE_string(
    "output_dir", None, "Where outputs go; default outputs/mnist_<method>."
)
flags.DEFINE_integer(
    "frechet_distance_samples",
    2000,
    "Samples for the Frechet and kernel distances logged after every epoch "
    "(the shipped classifier's features against the test images, about 1 s); "
    "0: none.",
    lower_bound=0,
)
# A Frechet distance needs a covariance, so two samples at least.
flags.register_validator(
    "frechet_distance_samples",
    lambda value: value != 1,
    message="must be 0 (none) or >= 2",
)


def main(argv):
    del argv
    method = FLAGS.method
    suffix = "_conditional" if FLAGS.conditional else ""
    output_dir = FLAGS.output_dir or os.path.join("outputs", f"mnist_{method}{suffix}")
    steps, steps_per_epoch, dim = training.schedule(FLAGS)
    keras.utils.set_random_seed(FLAGS.seed)

    # Data: batches in [-1, 1], repeated; each critic update takes its own.
    if FLAGS.smoke:
        train_source = wk.datasets.synthetic_digits(640, FLAGS.seed)
        test_source = wk.datasets.synthetic_digits(128, FLAGS.seed + 1)
    else:
        train_source = test_source = FLAGS.data
    held_out_count = 128 if FLAGS.smoke else training.HELD_OUT_SAMPLES
    # The test images are read once: the Frechet distance compares with the
    # whole split (10,000 for MNIST), the held-out estimate takes its first ones.
    frechet = FLAGS.frechet_distance_samples and not FLAGS.smoke
    test_count = 10_000 if frechet else held_out_count
    fit_kwargs = {}
    if FLAGS.conditional:
        images, (test_images, test_labels), fit_kwargs = training.conditional_data(
            train_source, test_source, test_count, FLAGS.batch_size
        )
        held_out = (test_images[:held_out_count], test_labels[:held_out_count])
    else:
        images = wk.datasets.load_images(
            train_source,
            split="train",
            batch_size=FLAGS.batch_size,
            seed=FLAGS.seed,
            data_dir=FLAGS.data_dir,
            repeat=True,
        )
        test_images = training.held_out_batch(test_source, test_count, FLAGS.data_dir)
        held_out = test_images[:held_out_count]
    extra_callbacks = []
    if FLAGS.frechet_distance_samples:
        extra_callbacks.append(
            wk.callbacks.FrechetDistance(
                test_images,
                num_samples=min(FLAGS.frechet_distance_samples, 256)
                if FLAGS.smoke
                else FLAGS.frechet_distance_samples,
            )
        )
    num_classes = 10 if FLAGS.conditional else None
    gan = training.compiled_gan(FLAGS, (28, 28, 1), dim, num_classes)
    source = "synthetic strokes" if FLAGS.smoke else FLAGS.data
    kind = "a class-conditional " if FLAGS.conditional else ""
    print(
        f"Training {kind}{type(gan).__name__} on {source} with the "
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
        command=" ".join(["python", "examples/train_mnist.py", *sys.argv[1:]]),
        learning_rate_decay_start=FLAGS.learning_rate_decay_start,
        extra_callbacks=extra_callbacks,
        **fit_kwargs,
    )


if __name__ == "__main__":
    app.run(main)
