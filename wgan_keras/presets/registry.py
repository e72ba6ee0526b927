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
    # WGAN-GP, DCGAN at dim 32, MNIST, 15,500 generator steps with a generator
    # EMA (train_mnist.py); a run still in progress (runs/mnist_dcgan_gp).
    "mnist_dcgan_gp": {
        "sha256": {
            "generator.keras": "b62e9318cd0165bb710f90d3ddb481f0813b967a2108ee791a60d07a4451c673",
            "grid.png": "4718e81c31639f57cca5804aea0db94093ba9c70276ec80990708ab6fa2aa70f",
            "metadata.json": "e41b8843a65e7a0ff3a6913a9e6b57b4e9fc62d486fb898b785bac8714577e49",
        },
    },
    # Weight clipping, DCGAN at dim 32 with batch norm, MNIST, 26,250 generator
    # steps with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_clip).
    "mnist_dcgan_clip": {
        "sha256": {
            "generator.keras": "2dbaece7f1d2668cf9c2460a91ad9f32863966d3e9dd31008e77b9efed228301",
            "grid.png": "1124f49d4e7cf1cb105151624a75c89f7b0c4a6f73ca610c48b1d0a3158e09aa",
            "metadata.json": "aaca23fd87a28081f5b34e0c92aa8988e0d6fcc380448eed83e6eb9bcacd2809",
        },
    },
    # Spectral normalization, DCGAN at dim 32, MNIST, 17,750 generator steps
    # with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_sn).
    "mnist_dcgan_sn": {
        "sha256": {
            "generator.keras": "c7bd7ec1a3d7cf1bc9555f937e5fa74b9f9848cfc44a4af3c2c2048685d355b8",
            "grid.png": "c4acb9a15d002673a7507274a2b738a1b842876d4f828ee518e84d92e6634500",
            "metadata.json": "dd1c59964cc7898f79b6923b94c72062f7fcd68668ddf01e974e838f4d971551",
        },
    },
}
