"""Sample from a pretrained or trained generator: a grid and an interpolation.

Loads a preset by name (`--preset`, see `wk.list_generators()`) or any
generator saved as `.keras` (`--model`; a whole saved GAN works too), then
writes to --output_dir:

- samples.png: a square grid of --num_samples samples (2-D toys: a scatter
  plot) from `numpy.random.default_rng(--seed)` noise;
- interpolation.png: for images, --rows strips of --steps images each, walking
  the latent space between two random points along the great circle (slerp,
  which keeps the noise's norm typical; White 2016).

Run:

    python examples/sample.py --preset=gaussians8_mlp_gp
    python examples/sample.py --model=outputs/mnist_gp/generator.keras --seed=3
"""

import os

import keras
import numpy as np
from absl import app, flags

import wgan_keras as wk

FLAGS = flags.FLAGS
flags.DEFINE_string("preset", None, "A preset name (see wk.list_generators()).")
flags.DEFINE_string("model", None, "A generator or GAN saved as .keras.")
flags.DEFINE_integer("num_samples", 64, "Samples in the grid.")
flags.DEFINE_integer("rows", 8, "Interpolation strips.")
flags.DEFINE_integer("steps", 10, "Images per interpolation strip.")
flags.DEFINE_integer("seed", 0, "Seed of the noise.")
flags.DEFINE_string("output_dir", "outputs/samples", "Where outputs go.")


def slerp(a, b, t):
    """Spherical interpolation from `a` (t=0) to `b` (t=1), rows of `t`."""
    a_unit = a / np.linalg.norm(a)
    b_unit = b / np.linalg.norm(b)
    omega = np.arccos(np.clip(np.dot(a_unit, b_unit), -1.0, 1.0))
    t = np.asarray(t)[:, None]
    if omega < 1e-6:  # (anti)parallel ends: a straight line is as good
        return (1 - t) * a + t * b
    return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)


def load(preset, model_path):
    if (preset is None) == (model_path is None):
        raise app.UsageError(
            "Give exactly one of --preset and --model. Received: "
            f"--preset={preset!r}, --model={model_path!r}"
        )
    if preset is not None:
        return wk.load_generator(preset)
    model = keras.saving.load_model(model_path, compile=False, safe_mode=True)
    return model.sampling_generator if isinstance(model, wk.WassersteinGAN) else model


def main(argv):
    del argv
    generator = load(FLAGS.preset, FLAGS.model)
    latent_dim = generator.input_shape[-1]
    rng = np.random.default_rng(FLAGS.seed)
    os.makedirs(FLAGS.output_dir, exist_ok=True)

    z = rng.standard_normal((FLAGS.num_samples, latent_dim)).astype("float32")
    samples = keras.ops.convert_to_numpy(generator(z, training=False))
    path = os.path.join(FLAGS.output_dir, "samples.png")
    if samples.ndim == 2 and samples.shape[1] == 2:
        wk.visualization.scatter_plot(samples).save(path)
    else:
        wk.visualization.image_grid(samples).save(path)
    print(f"Wrote {path}")

    if samples.ndim == 4:
        ends = rng.standard_normal((FLAGS.rows, 2, latent_dim))
        t = np.linspace(0.0, 1.0, FLAGS.steps)
        path_z = np.concatenate([slerp(a, b, t) for a, b in ends]).astype("float32")
        strips = keras.ops.convert_to_numpy(generator(path_z, training=False))
        path = os.path.join(FLAGS.output_dir, "interpolation.png")
        wk.visualization.image_grid(strips, columns=FLAGS.steps).save(path)
        print(f"Wrote {path}")


if __name__ == "__main__":
    app.run(main)
