"""The registry of presets: each file's SHA-256, recorded in the package.

`load_generator` refuses files that do not match. `scripts/make_preset.py`
writes a preset and prints its entry.
"""

PRESETS = {
    # The MNIST feature network of wk.metrics: a small CNN, 99.33% test accuracy
    # (scripts/train_mnist_classifier.py).
    "mnist_classifier": {
        "kind": "classifier",
        "sha256": {
            "classifier.keras": "f03895038bcb4bf4200a22185c7fee074046306deb65cd6cef8a375b40fa39bf",
            "metadata.json": "9d7850c2d0aa9e2676c6c6e867df0b1773be56cc8ccb5bca914d36090f4390fa",
        },
    },
    # WGAN-GP, 4x512 MLPs, 8 Gaussians, 9,990 generator steps at batch 256 with
    # a generator EMA (train_toy.py).
    "gaussians8_mlp_gp": {
        "sha256": {
            "generator.keras": "bbac4d1cc470a800b18796509a7dedc333062715c87cce42f36c30cd060c270c",
            "grid.png": "8f4d57ff6663268895233ca80ea92b2d4aab87c82fcaf3422c1d1811a848963d",
            "metadata.json": "3d037c737e9afb8a23eaa8cbb2f6dd308c227a9f350f882a24d39c68ec367dd5",
        },
    },
    # WGAN-GP, DCGAN at dim 32, MNIST, 36,000 generator steps with a generator
    # EMA, the learning rates falling linearly to 0 over the last 6,000
    # (train_mnist.py; resume point in runs/mnist_dcgan_gp).
    "mnist_dcgan_gp": {
        "sha256": {
            "generator.keras": "f9614c927e78fa7a21f73c17f9a231c8f3c29f845504bad80f78b03d3d226abe",
            "grid.png": "8ec35c34d5eb2d2e0d41327499a022e1bc84ebd59f65b90a0fff3acc7779f8fc",
            "metadata.json": "60cb7b3e24a2e28198f66e67eb833aed181528fa8b9f0e6845035443b4991695",
        },
    },
    # Weight clipping, DCGAN at dim 32 with batch norm, MNIST, 75,000 generator
    # steps with a generator EMA, the learning rates falling linearly to 0 over
    # the last 10,000 (train_mnist.py), from the run restarted with the papers'
    # batch norm and RMSprop epsilons (runs/mnist_dcgan_clip).
    "mnist_dcgan_clip": {
        "sha256": {
            "generator.keras": "a166be3c79e2b84be0b5fe3fd578ebe77ea2751528da6bbd99a030b756f26509",
            "grid.png": "8aa6c6bbd09f23897bf05fd88c4782431dfc05aa2399533596633512cfc63b9e",
            "metadata.json": "e0f5889c9d7dba9380b10198de2ea806dcc27bfdd1d3dcc83b41dba731a75db0",
        },
    },
    # Spectral normalization, DCGAN at dim 32, MNIST, 79,500 generator steps
    # with a generator EMA, the learning rates falling linearly to 0 over the
    # last 10,000 (train_mnist.py; runs/mnist_dcgan_sn).
    "mnist_dcgan_sn": {
        "sha256": {
            "generator.keras": "19e0d504679217bcc5f3886fc09e941674d07d285c9cc387d37cba1fa414945c",
            "grid.png": "0f03d5280c6a21cd485c5a757d049ae6d79ea5c588d27b21da272f90629576fc",
            "metadata.json": "292cf9b896382bc20ede7a99da0e00bb417a77fb1988d9674e895f4d71d09a3a",
        },
    },
}
