"""`wgan-keras evaluate`: the metrics of a pretrained generator."""

from wgan_keras.cli.argument_types import non_negative_int, positive_int


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "evaluate",
        help="measure a pretrained generator (FD, KID, modes, W1)",
        description=(
            "Samples a pretrained generator with fixed noise and prints the "
            "metrics of wgan_keras.evaluation, the numbers in the README's table."
        ),
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--preset", help="a pretrained generator's name")
    which.add_argument(
        "--list", action="store_true", help="list the pretrained generators"
    )
    parser.add_argument(
        "--data",
        help="mnist.npz (Keras layout) for the MNIST presets; default Keras' cache",
    )
    parser.add_argument(
        "--num_samples",
        type=positive_int,
        help="samples (default 10,000 for MNIST, 2,000 for the 2-D toys)",
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
    # Progress goes to stderr, so that --json output stays parseable.
    print(f"Evaluating {args.preset} (noise seed {args.seed}) ...", file=sys.stderr)
    results = evaluation.evaluate_preset(
        args.preset, num_samples=args.num_samples, seed=args.seed, mnist_path=args.data
    )
    print(
        f"Evaluated {results.get('num_samples', '?')} samples in "
        f"{time.time() - start:.0f} s.",
        file=sys.stderr,
    )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{args.preset}\n{evaluation.format_table(results)}")
    return 0
