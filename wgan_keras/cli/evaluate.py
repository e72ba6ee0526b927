"""`wgan-keras evaluate`: the metrics of a generator, or of a folder of images."""

from wgan_keras.cli.argument_types import non_negative_int, positive_int

DEFAULT_SAMPLES = 10_000


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "evaluate",
        help="measure a generator or images (FD, KID, IS, modes, W1)",
        description=(
            "Samples a generator with fixed noise (or reads images) and prints "
            "the metrics of wgan_keras.evaluation with the protocol they follow: "
            "a preset against its own data (the numbers in the README's table), "
            "or a generator file, a SavedModel or images against --reference."
        ),
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--preset", help="a pretrained generator's name")
    which.add_argument(
        "--model", help="a generator or GAN .keras file, or a SavedModel"
    )
    which.add_argument("--images", help="a folder of images or a .npz (x_train)")
    which.add_argument(
        "--list", action="store_true", help="list the pretrained generators"
    )
    parser.add_argument(
        "--data",
        help="mnist.npz (Keras layout) for the MNIST presets; default Keras' cache",
    )
    parser.add_argument(
        "--reference",
        help="real images for --model and --images: a .npz (its x_test) or a folder",
    )
    parser.add_argument(
        "--feature_network",
        choices=("mnist", "fid_inception"),
        help="features for --model and --images: the MNIST classifier (28x28 "
        "grey; the default there) or the FID Inception (the default otherwise)",
    )
    parser.add_argument(
        "--fid_weights",
        help="pytorch-fid's pt_inception-2015-12-05-6726825d.pth (default: Keras' "
        "cache)",
    )
    parser.add_argument(
        "--num_samples",
        type=positive_int,
        help="samples (default 10,000; 2,000 for the 2-D toys)",
    )
    parser.add_argument("--seed", type=non_negative_int, default=0, help="noise seed")
    parser.add_argument("--json", action="store_true", help="print JSON instead")
    return parser


def run(args):
    import json
    import sys
    import time

    import wgan_keras as wk
    from wgan_keras import evaluation

    if args.list:
        for name, metadata in wk.list_generators().items():
            training = metadata.get("training", {})
            print(
                f"{name:<22} {metadata.get('method', '?'):<5} "
                f"{metadata.get('data', '?'):<11} "
                f"{training.get('generator_steps', '?')} generator steps"
            )
        return 0
    if args.num_samples is not None and args.num_samples < 2:
        raise ValueError(
            f"`--num_samples` must be >= 2. Received: --num_samples={args.num_samples}"
        )
    start = time.time()
    source = args.preset or args.model or args.images
    # Progress goes to stderr, so that --json output stays parseable.
    print(f"Evaluating {source} (noise seed {args.seed}) ...", file=sys.stderr)
    if args.preset:
        results = evaluation.evaluate_preset(
            args.preset,
            num_samples=args.num_samples,
            seed=args.seed,
            mnist_path=args.data,
        )
    else:
        results = _evaluate_files(args)
    print(
        f"Evaluated {results.get('num_samples', '?')} samples in "
        f"{time.time() - start:.0f} s.",
        file=sys.stderr,
    )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{source}\n{evaluation.format_table(results)}")
    return 0


def _evaluate_files(args):
    """A generator file, a SavedModel or images against `--reference`."""
    import numpy as np

    from wgan_keras import evaluation
    from wgan_keras.cli.sample import load_sampler

    if not args.reference:
        raise ValueError(
            "`--reference` must name the real images to compare with (a .npz or "
            f"a folder). Received: --{'model' if args.model else 'images'} "
            "without --reference"
        )
    count = args.num_samples or DEFAULT_SAMPLES
    reference = _read_images(args.reference, "test", "--reference")
    if args.model:
        sampler, latent_dim = load_sampler(model=args.model)
        rng = np.random.default_rng(args.seed)
        z = rng.standard_normal((count, latent_dim)).astype("float32")
        samples = np.concatenate(
            [sampler(z[i : i + 500]) for i in range(0, count, 500)]
        )
        drawn = f"{count} samples from numpy default_rng({args.seed}) noise"
    else:
        samples = _read_images(args.images, "train", "--images")[:count]
        drawn = f"the first {len(samples)} images of {args.images}"
    network = args.feature_network or (
        "mnist" if samples.shape[1:] == (28, 28, 1) else "fid_inception"
    )
    results = evaluation.evaluate_samples(
        samples, reference, network, args.fid_weights, args.seed
    )
    split = "x_test" if args.reference.endswith(".npz") else "all images"
    results["protocol"] = {
        "samples": drawn,
        "reference": f"{len(reference)} images: {args.reference} ({split})",
        **results["protocol"],
    }
    return results


def _read_images(path, split, flag):
    import wgan_keras as wk

    try:
        return wk.datasets.read_images(path, split)
    except ValueError as error:
        raise ValueError(f"{flag}: {error}") from error
