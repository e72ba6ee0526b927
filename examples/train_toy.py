"""Train a Wasserstein GAN on the 2-D mixture of 8 Gaussians.

The WGAN-GP paper's toy experiment (Gulrajani et al. 2017, Figure 1): MLP
generator and critic (4 hidden layers of 512, as in the WGAN paper), data made
here, no download. Writes to --output_dir:

- samples.png: the critic's value as a grey background (light = high score),
  real samples in blue, generated samples in orange;
- steps.csv and epochs.csv: the losses and the critic's Wasserstein estimate
  per step and per epoch, with the exact W1 between held-out real samples and
  generated ones (optimal transport) per epoch;
- wasserstein.png: the estimate (raw and median-filtered), its held-out value
  and the exact W1 on one plot; they fall together as the critic stays near
  optimal;
- generator.keras: the trained generator.

Run:

    python examples/train_toy.py                # WGAN-GP, the paper's defaults
    python examples/train_toy.py --method=sn    # spectral normalization
    python examples/train_toy.py --gp_weight=0.1  # the WGAN-GP toy code's lambda
    python examples/train_toy.py --smoke        # a few steps, for CI
"""

import json
import os
import sys
import time

import keras
from absl import app, flags
from keras import ops

import wgan_keras as wk

FLAGS = flags.FLAGS
flags.DEFINE_enum(
    "method",
    "gp",
    ["clip", "gp", "sn"],
    "Lipschitz method: weight clipping (WGAN), gradient penalty (WGAN-GP) or "
    "spectral normalization (SN-GAN).",
)
flags.DEFINE_integer("modes", 8, "Mixture modes: 8 (circle) or 25 (grid).")
flags.DEFINE_integer(
    "generator_steps", 3000, "Generator updates in total.", lower_bound=1
)
flags.DEFINE_integer("batch_size", 64, "Samples per critic batch (m).", lower_bound=1)
flags.DEFINE_integer(
    "critic_steps", 5, "Critic updates per generator update.", lower_bound=1
)
flags.DEFINE_integer(
    "latent_dim", 2, "Noise size (2 in the WGAN-GP toy code).", lower_bound=1
)
flags.DEFINE_integer(
    "epochs",
    30,
    "Epochs to split the run into (logs, exact W1 per epoch); they must divide "
    "--generator_steps.",
    lower_bound=1,
)
flags.DEFINE_integer(
    "seed", 0, "Seed of data, weights and training noise.", lower_bound=0
)
flags.DEFINE_float("ema_decay", None, "Keep and sample an EMA of the generator.")
flags.DEFINE_float(
    "gp_weight",
    None,
    "Penalty weight lambda, --method=gp only: 10 by default (the WGAN-GP paper's); "
    "0.1 in the paper's toy code, where all 8 modes are reached several times sooner.",
)
flags.DEFINE_integer(
    "early_stopping_patience",
    None,
    "Stop when the held-out Wasserstein estimate has not fallen for this many "
    "epochs, and keep the best epoch's networks (Keras' EarlyStopping).",
    lower_bound=1,
)
flags.DEFINE_integer(
    "early_stopping_start",
    10,
    "Epochs before --early_stopping_patience starts counting: early in training "
    "the critic is far from optimal and its estimate means little.",
    lower_bound=0,
)
flags.DEFINE_string("output_dir", "outputs/toy", "Where outputs are written.")
flags.DEFINE_bool("smoke", False, "Train a few steps only (CI).")

EXTENT = 2.0  # plots cover [-2, 2]^2


def build_gan(method, latent_dim, critic_steps, seed, ema_decay=None, gp_weight=None):
    if gp_weight is not None and method != "gp":
        raise app.UsageError(
            "--gp_weight applies to --method=gp only. Received: "
            f"--method={method} --gp_weight={gp_weight:g}"
        )
    return wk.recipes.build_gan(
        method,
        (2,),
        latent_dim=latent_dim,
        critic_steps=critic_steps,
        seed=seed,
        ema_decay=ema_decay,
        gp_weight=gp_weight,
    )


def plot_samples(gan, real, path):
    # The critic's value as the background, real and generated samples on it.
    fake = gan.generate(len(real), seed=0)
    wk.visualization.plot_toy(
        lambda x: ops.convert_to_numpy(gan.critic(x, training=False)),
        real,
        fake,
        path,
        extent=EXTENT,
        title=f"{type(gan).__name__}: critic value, real and generated samples",
    )
    return fake


def main(argv):
    del argv
    keras.utils.set_random_seed(FLAGS.seed)
    steps, epochs = FLAGS.generator_steps, FLAGS.epochs
    if FLAGS.smoke:
        steps, epochs = 4, 2
    if steps % epochs:
        raise app.UsageError(
            "--epochs must divide --generator_steps. Received: "
            f"--generator_steps={steps}, --epochs={epochs}"
        )
    steps_per_epoch = steps // epochs
    group = FLAGS.batch_size * FLAGS.critic_steps
    data = wk.datasets.gaussian_mixture_2d(
        group * steps_per_epoch, modes=FLAGS.modes, seed=FLAGS.seed
    )
    gan = build_gan(
        FLAGS.method,
        FLAGS.latent_dim,
        FLAGS.critic_steps,
        FLAGS.seed,
        FLAGS.ema_decay,
        FLAGS.gp_weight,
    )
    gan.compile()
    penalty = f" (gp_weight {gan.gp_weight:g})" if FLAGS.method == "gp" else ""
    print(
        f"Training {type(gan).__name__}{penalty} on {FLAGS.modes} Gaussians with the "
        f"{keras.config.backend()} backend: {steps_per_epoch * epochs} generator "
        f"steps, batch {FLAGS.batch_size}, {FLAGS.critic_steps} critic steps each."
    )
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    # Held-out real samples: the exact W1 and the held-out estimate use them.
    real = wk.datasets.gaussian_mixture_2d(1000, modes=FLAGS.modes, seed=FLAGS.seed + 1)
    callbacks = [
        wk.callbacks.ExactWasserstein(real),  # before the logger, which plots it
        wk.callbacks.WassersteinLogger(FLAGS.output_dir, validation_data=real),
    ]
    stop = None
    if FLAGS.early_stopping_patience:
        # After the logger, which puts the held-out estimate in the logs.
        stop = keras.callbacks.EarlyStopping(
            monitor="dev_wasserstein_estimate",
            mode="min",
            patience=FLAGS.early_stopping_patience,
            start_from_epoch=FLAGS.early_stopping_start,
            restore_best_weights=True,
        )
        callbacks.append(stop)
    start = time.time()
    gan.fit(
        data,
        batch_size=FLAGS.batch_size,
        epochs=epochs,
        callbacks=callbacks,
        verbose=2,
    )
    seconds = time.time() - start
    if stop is not None and stop.stopped_epoch:
        print(
            f"Stopped after epoch {stop.stopped_epoch + 1} of {epochs}: the held-out "
            f"estimate last fell at epoch {stop.best_epoch + 1} "
            f"({stop.best:.4f}), whose networks are kept."
        )

    samples_path = os.path.join(FLAGS.output_dir, "samples.png")
    fake = plot_samples(gan, real, samples_path)
    generator_path = os.path.join(FLAGS.output_dir, "generator.keras")
    with wk.files.staged_file(generator_path) as tmp:  # never half-written
        gan.sampling_generator.save(tmp)
    run = {
        "command": " ".join(["python", "examples/train_toy.py", *sys.argv[1:]]),
        "networks": wk.presets.describe_networks(gan),
        "wall_seconds": seconds,
        "generator_steps": int(
            ops.convert_to_numpy(gan.generator_optimizer.iterations)
        ),
        "backend": keras.config.backend(),
        "keras_version": keras.__version__,
    }
    with open(os.path.join(FLAGS.output_dir, "run.json"), "w") as f:
        json.dump(run, f, indent=2)

    covered, off = wk.datasets.covered_modes(fake, modes=FLAGS.modes, radius=0.25)
    print(f"Trained in {seconds:.0f} s.")
    print(
        f"Modes covered: {covered}/{FLAGS.modes} (>= 1% of 1000 samples within "
        f"0.25); samples off every mode: {off:.1%}"
    )
    for name in (
        "samples.png",
        "wasserstein.png",
        "steps.csv",
        "epochs.csv",
        "run.json",
    ):
        print(f"Wrote {os.path.join(FLAGS.output_dir, name)}")
    print(f"Wrote {generator_path}")


if __name__ == "__main__":
    app.run(main)
