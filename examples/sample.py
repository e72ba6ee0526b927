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
from absl import app, flags

import wgan_keras as wk

FLAGS = flags.FLAGS
flags.DEFINE_string("preset", None, "A preset name (see wk.list_generators()).")
flags.DEFINE_string("model", None, "A generator or GAN saved as .keras.")
flags.DEFINE_integer("num_samples", 64, "Samples in the grid.", lower_bound=1)
flags.DEFINE_integer("rows", 8, "Interpolation strips.", lower_bound=1)
flags.DEFINE_integer("steps", 10, "Images per interpolation strip.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seed of the noise.", lower_bound=0)
flags.DEFINE_string("output_dir", "outputs/samples", "Where outputs go.")


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
    os.makedirs(FLAGS.output_dir, exist_ok=True)
    pictures = wk.visualization.sample_pictures(
        lambda z: keras.ops.convert_to_numpy(generator(z, training=False)),
        generator.input_shape[-1],
        FLAGS.num_samples,
        FLAGS.rows,
        FLAGS.steps,
        FLAGS.seed,
    )
    for name, picture in pictures.items():
        path = os.path.join(FLAGS.output_dir, name)
        picture.save(path)
        print(f"Wrote {path}")


if __name__ == "__main__":
    app.run(main)
