"""`wgan-keras export`: a generator as a TF Serving SavedModel or ONNX."""

import os

from wgan_keras.cli.argument_types import positive_int


def add_parser(subparsers):
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
    parser.add_argument("--version", type=positive_int, default=1)
    parser.add_argument(
        "--dtype",
        default="float32",
        choices=("float32", "bfloat16"),
        help="what the SavedModel computes in (its inputs and outputs stay float32)",
    )
    parser.add_argument("--overwrite", action="store_true")
    return parser


def run(args):
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
        dtype=args.dtype,
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
