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
    # Weight clipping, DCGAN at dim 32 with batch norm, MNIST, 16,500 generator
    # steps with a generator EMA (train_mnist.py), from the run restarted with
    # the papers' batch norm and RMSprop epsilons; a run still in progress
    # (runs/mnist_dcgan_clip).
    "mnist_dcgan_clip": {
        "sha256": {
            "generator.keras": "abc92892c120700cb6953be48ed3b29ba0038741275832e4b9ffdd08084e1e60",
            "grid.png": "67c3e72f91cfd640f36ee0afa168ed3679c062bdf9ef20ecc0de6b14ddc52341",
            "metadata.json": "391dc90dc2e020b7ad93845d66f77d8d4219430e7f10a799a1ad45007f8dc739",
        },
    },
    # Spectral normalization, DCGAN at dim 32, MNIST, 60,000 generator steps
    # with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_sn).
    "mnist_dcgan_sn": {
        "sha256": {
            "generator.keras": "e42e097942692f9691a2d513c3a0caf1cf09ed7b248836805cc0a0bb7a1f2fa4",
            "grid.png": "8486faf42c2d86bdac594609abc4d1499f1a477c82a2adbdcb1e7eccc16e9357",
            "metadata.json": "d5cf052db19b71d91a3074c4e5e6c1a47da18d4d5ff94bacd6ab6d165668224a",
        },
    },
}
