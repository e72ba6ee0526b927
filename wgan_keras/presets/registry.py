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
    # WGAN-GP, DCGAN at dim 32, MNIST, 7,750 generator steps with a generator
    # EMA (train_mnist.py); a run still in progress (runs/mnist_dcgan_gp).
    "mnist_dcgan_gp": {
        "sha256": {
            "generator.keras": "156f5bd84c80faf0c620e113448ad7ec2e85b936a668e53cc624bae68dfbbfc8",
            "grid.png": "7391f266ef73d9d323099303d0a3af15982ba82f366a34b0b7ab661facd7ea31",
            "metadata.json": "46c057e998770a1e6904a37e72b68e97a89abca60c73ee6d5aea5cf8430acbfa",
        },
    },
    # Weight clipping, DCGAN at dim 32 with batch norm, MNIST, 20,000 generator
    # steps with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_clip).
    "mnist_dcgan_clip": {
        "sha256": {
            "generator.keras": "1871a131fa81f6fbe90f355f429ea2bbd5a6bfada29b328817564b3257826902",
            "grid.png": "c25a0cb5a6693572996c7da8bd6c646abeea98cf4157c397c10c5fd604f3fef3",
            "metadata.json": "6a1ee1e59d3a85a4e005e95f990868ad4c9e264e29a8f2781ae770ffef9f12e0",
        },
    },
    # Spectral normalization, DCGAN at dim 32, MNIST, 11,250 generator steps
    # with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_sn).
    "mnist_dcgan_sn": {
        "sha256": {
            "generator.keras": "0b0d20c9ec57e9ecb51250d20aaefb40e7ff663d35ed772f4ed5e21f14285bb0",
            "grid.png": "60feb27cdd1cb5d3a1f50619a2c70cfa8209d907df498041cd56e3be58ec0de5",
            "metadata.json": "25db0019b86a37b6a0ff49175d47495e531c20bbec31159b5aecde50cf993580",
        },
    },
}
