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
    # WGAN-GP, DCGAN at dim 32, MNIST, 22,750 generator steps with a generator
    # EMA (train_mnist.py); a run still in progress (runs/mnist_dcgan_gp).
    "mnist_dcgan_gp": {
        "sha256": {
            "generator.keras": "f224977dc326a6bb48904359e197bc1c0ab9ee0b9afc830025a896b6a1cc50cc",
            "grid.png": "e96f5cdf9e5518b70800956c39af6d9b9badf2b89e59d0f54e226e37e7f2c588",
            "metadata.json": "a4e5d47b21f28a81a4f95d032bcc2f143f84e83cd650b44d8a35467e50cf25da",
        },
    },
    # Weight clipping, DCGAN at dim 32 with batch norm, MNIST, 32,750 generator
    # steps with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_clip).
    "mnist_dcgan_clip": {
        "sha256": {
            "generator.keras": "7013fb9dbb8755cc3abcdcc31bab5ef9e623ba8d1e0e4c5ac08de07a4422981e",
            "grid.png": "03e160ddd0ad74183bc039788c84c193f4f06c662ac29731a340eb4c9e50fb78",
            "metadata.json": "526fc3ed91e4a426cad50f426ee4693ba718299677280112376df0b8036753bf",
        },
    },
    # Spectral normalization, DCGAN at dim 32, MNIST, 24,500 generator steps
    # with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_sn).
    "mnist_dcgan_sn": {
        "sha256": {
            "generator.keras": "e48dc5b6224e5bd19e7ee92292f3956cc27bbdbfd2f603d0e3be6bf185433c12",
            "grid.png": "f3a2f8fb564d9332916bc298fd54ea7452f1df03a89238967ebb1fba18f79021",
            "metadata.json": "cc89017c31ad87e227c9b1846857b63cfa14161df021299b353878d1b3ab367b",
        },
    },
}
