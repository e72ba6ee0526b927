"""The `wgan-keras` command line.

```
wgan-keras export --preset mnist_dcgan_gp --out serving
wgan-keras export --model runs/mnist/generator.keras --out serving --name mnist
wgan-keras export --preset mnist_dcgan_gp --out mnist.onnx --format onnx
wgan-keras evaluate --preset mnist_dcgan_gp --data ../shared/data/mnist.npz
wgan-keras evaluate --list
```
"""

import argparse
import os
import sys


def _export_parser(subparsers):
    parser = subparsers.add_parser(
        "export",
        help="export a generator as a TF Serving SavedModel or ONNX",
        description=(
            "Writes OUT/<name>/<version>/saved_model.pb and OUT/models.config "
            "(or an ONNX file), then prints how to serve it."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--preset", help="a pretrained generator's name")
    source.add_argument("--model", help="a .keras file: a generator or a GAN")
    parser.add_argument(
        "--out", required=True, help="the model repository folder, or an .onnx file"
    )
    parser.add_argument(
        "--format", default="tf_saved_model", choices=("tf_saved_model", "onnx")
    )
    parser.add_argument(
        "--name", help="the served model's name (default: the preset's name)"
    )
    parser.add_argument("--version", type=int, default=1)
    parser.add_argument("--overwrite", action="store_true")
    return parser


def _export(args):
    import wgan_keras as wk

    if args.preset is not None:
        source = wk.load_generator(args.preset)
        name = args.name or args.preset
    else:
        source, name = args.model, args.name
    target = wk.export_generator(
        source,
        args.out,
        format=args.format,
        overwrite=args.overwrite,
        model_name=name,
        version=args.version,
    )
    print(f"Wrote {target}")
    if args.format == "tf_saved_model":
        config = os.path.join(os.path.abspath(args.out), wk.export.MODELS_CONFIG)
        served = os.path.basename(os.path.dirname(target))
        print(f"Wrote {config}:\n")
        with open(config) as f:
            print(f.read())
        print("Serve it with TF Serving (drop --gpus all and -gpu on a CPU box):\n")
        print(f"  {wk.export.serving_command(args.out)}\n")
        print("and ask for images:\n")
        print(
            f'  curl -d \'{{"signature_name": "generate", "inputs": '
            f'{{"seed": 7, "num_samples": 4}}}}\' '
            f"localhost:8501/v1/models/{served}:predict"
        )
    return 0


def _evaluate_parser(subparsers):
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
        type=int,
        help="samples (default 10,000 for MNIST, 2,000 for the 2-D toys)",
    )
    parser.add_argument("--seed", type=int, default=0, help="noise seed")
    parser.add_argument("--json", action="store_true", help="print JSON instead")
    return parser


def _evaluate(args):
    import json

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
    results = evaluation.evaluate_preset(
        args.preset, num_samples=args.num_samples, seed=args.seed, mnist_path=args.data
    )
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{args.preset}\n{evaluation.format_table(results)}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="wgan-keras", description="Wasserstein GANs for Keras 3."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    _export_parser(subparsers)
    _evaluate_parser(subparsers)
    args = parser.parse_args(argv)
    if args.command == "export" and "keras" not in sys.modules:
        # The SavedModel is always written by the TensorFlow backend; choosing
        # it here saves the child process that other backends would need.
        os.environ["KERAS_BACKEND"] = "tensorflow"
    commands = {"export": _export, "evaluate": _evaluate}
    try:
        return commands[args.command](args)
    except (
        ValueError,
        RuntimeError,
        FileExistsError,
        FileNotFoundError,
        ImportError,
    ) as error:
        print(f"wgan-keras {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
