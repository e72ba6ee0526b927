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
    # WGAN-GP, DCGAN at dim 32, MNIST, 23,500 generator steps with a generator
    # EMA (train_mnist.py); a run still in progress (runs/mnist_dcgan_gp).
    "mnist_dcgan_gp": {
        "sha256": {
            "generator.keras": "cd223fa6c3a10c25fa2b505825409f3d70dbe81d5fa11e7448241d301d7e10e0",
            "grid.png": "b32c68845db21aa2e83caaa1e4c1b13bd2bad50f98b6e239946202f50a6ad158",
            "metadata.json": "6edcc442a801d01d13492a29c329298bb8220b891e0d47d3ff6e0b350bc92d75",
        },
    },
    # Weight clipping, DCGAN at dim 32 with batch norm, MNIST, 50,000 generator
    # steps with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_clip).
    "mnist_dcgan_clip": {
        "sha256": {
            "generator.keras": "14d2ceaf864b8d9deb83914c02fe2b3329c17ab79ff67f7d1c545b7adbe4ad63",
            "grid.png": "d8be15ee62fcc1ce5d2bbb3610d13e5e844a997b5068ca342edc86c4eba8d495",
            "metadata.json": "851f3808f5b7476c644f6248b1de06881f0ca2634af0898cf08832ae67099c6e",
        },
    },
    # Spectral normalization, DCGAN at dim 32, MNIST, 42,250 generator steps
    # with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_sn).
    "mnist_dcgan_sn": {
        "sha256": {
            "generator.keras": "9ce2484020b13d9fff590f45848b6d1d9173ff1f5669b7a084266cc582a5a037",
            "grid.png": "84018fc42fd85b3217a339ea9ecbdc9ecbe5f498dec35e14c509d62c38b1cf38",
            "metadata.json": "0c6f8b6d7bb7f56435d20b065bdd5e699a23a523daf04f99e0420778939cf5ca",
        },
    },
}
