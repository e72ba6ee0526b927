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
}
