"""The `wgan-keras` command line (also `python -m wgan_keras`).

```
wgan-keras train --data=gaussians8 --method=gp          # 2-D toy, made here
wgan-keras train --data=mnist.npz --method=sn --smoke   # images: .npz, folder, tfds
wgan-keras sample --preset mnist_dcgan_gp               # grid and interpolation
wgan-keras sample --model outputs/mnist_gp/generator.keras
wgan-keras export --preset mnist_dcgan_gp --out serving
wgan-keras export --preset mnist_dcgan_gp --out mnist.onnx --format onnx
wgan-keras evaluate --preset mnist_dcgan_gp --data ../shared/data/mnist.npz
wgan-keras evaluate --list
```
"""

import argparse
import sys

from wgan_keras.cli import evaluate, export, sample, train

COMMANDS = {"train": train, "sample": sample, "export": export, "evaluate": evaluate}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="wgan-keras", description="Wasserstein GANs for Keras 3."
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(subparsers)
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except (
        ValueError,
        RuntimeError,
        FileExistsError,
        FileNotFoundError,
        ImportError,
    ) as error:
        print(f"wgan-keras {args.command}: {error}", file=sys.stderr)
        return 2
