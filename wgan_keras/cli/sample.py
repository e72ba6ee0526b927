"""`wgan-keras sample`: a grid and interpolation strips from a generator.

The generator is a preset (by name, or a preset folder), a `.keras` file (a
generator or a whole GAN) or an exported SavedModel (its `serving_default`).
Writes `samples.png` (2-D toys: a scatter plot) and, for images,
`interpolation.png`: strips walking the latent space between two random
points along the great circle.
"""

import os

import numpy as np

from wgan_keras.cli.argument_types import non_negative_int, positive_int
from wgan_keras.export.loading import is_saved_model, load_saved_model_sampler
from wgan_keras.export.resolve import resolve_generator
from wgan_keras.models.sampling import generator_classes

BATCH = 256


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "sample",
        help="draw a grid and interpolation strips from a generator",
        description=__doc__.split("\n\n")[1],
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", help="a preset's name or a preset folder")
    source.add_argument("--model", help="a .keras file or a SavedModel folder")
    parser.add_argument(
        "--num_samples", type=positive_int, default=64, help="in the grid"
    )
    parser.add_argument(
        "--rows", type=positive_int, default=8, help="interpolation strips"
    )
    parser.add_argument(
        "--steps", type=positive_int, default=10, help="images per strip"
    )
    parser.add_argument(
        "--seed", type=non_negative_int, default=0, help="seed of the noise"
    )
    parser.add_argument(
        "--label",
        type=non_negative_int,
        default=None,
        help="a conditional generator's class to draw; default: every class in turn",
    )
    parser.add_argument("--output_dir", default="outputs/samples")
    return parser


def class_labels(label=None, num_classes=None):
    """`n -> labels` for a conditional generator: all `label`, or the classes
    in turn (`arange(n) % num_classes`)."""

    def labels_for(n):
        if label is not None:
            return np.full(n, label, "int32")
        if num_classes is None:
            raise ValueError(
                "This conditional generator does not record its classes: pass "
                "`--label`. Received: --label=None"
            )
        return (np.arange(n) % num_classes).astype("int32")

    return labels_for


def load_sampler(preset=None, model=None, label=None):
    """`(z -> samples as numpy, latent_dim)` for a preset, .keras or SavedModel.

    A conditional generator draws class `label`, or every class in turn.
    """
    import keras

    import wgan_keras as wk

    if preset is None and is_saved_model(model):
        sample, latent_dim, num_classes = load_saved_model_sampler(model)
    else:
        if preset is not None:
            source = wk.load_generator(preset)
        elif model.endswith(".keras") and os.path.isfile(model):
            source = model
        else:
            raise ValueError(
                "`--model` must be a .keras file or a SavedModel folder. "
                f"Received: --model={model}"
            )
        # A generator, or a GAN's sampling generator, loaded in safe mode.
        generator, latent_dim = resolve_generator(source)
        num_classes = generator_classes(generator)

        def sample(z, labels=None):
            inputs = z if labels is None else [z, labels]
            return keras.ops.convert_to_numpy(generator(inputs, training=False))

    if num_classes is None:
        if label is not None:
            raise ValueError(
                "`--label` is for a conditional generator; this one takes noise "
                f"alone. Received: --label={label}"
            )
        return sample, latent_dim
    if label is not None and num_classes is not True and label >= num_classes:
        raise ValueError(
            f"`--label` must be < {num_classes}, the generator's class count. "
            f"Received: --label={label}"
        )
    labels_for = class_labels(label, None if num_classes is True else num_classes)
    return (lambda z: sample(z, labels_for(len(z)))), latent_dim


class _Counted:
    """`sampler` in batches of `BATCH`, with a count of the samples done."""

    def __init__(self, sampler):
        self.sampler = sampler

    def __call__(self, z):
        import keras

        progress = keras.utils.Progbar(len(z), unit_name="sample")
        outputs = []
        for start in range(0, len(z), BATCH):
            outputs.append(self.sampler(z[start : start + BATCH]))
            progress.add(len(outputs[-1]))
        print(f"Sampled {len(z)}.")
        return np.concatenate(outputs)


def run(args):
    import wgan_keras as wk

    sampler, latent_dim = load_sampler(args.preset, args.model, args.label)
    pictures = wk.visualization.sample_pictures(
        _Counted(sampler),
        latent_dim,
        args.num_samples,
        args.rows,
        args.steps,
        args.seed,
    )
    os.makedirs(args.output_dir, exist_ok=True)
    for name, picture in pictures.items():
        path = os.path.join(args.output_dir, name)
        picture.save(path)
        print(f"Wrote {path}")
    return 0
