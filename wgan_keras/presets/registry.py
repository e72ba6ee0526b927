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
    # WGAN-GP, DCGAN at dim 32, MNIST, 30,000 generator steps with a generator
    # EMA (train_mnist.py); a run still in progress (runs/mnist_dcgan_gp).
    "mnist_dcgan_gp": {
        "sha256": {
            "generator.keras": "b08163d69435fc4f823c5868d259d8ac3311752b6667a0e6b0076401db5a7057",
            "grid.png": "c443ae8e7feb7363a1cff4b684527df4b62db72001cd94f1c741a6b81cc50532",
            "metadata.json": "863c19540898df658d72855d691712bcad0cb23d4108f4fa7d2e1a1266750033",
        },
    },
    # Weight clipping, DCGAN at dim 32 with batch norm, MNIST, 64,500 generator
    # steps with a generator EMA (train_mnist.py), from the run restarted with
    # the papers' batch norm and RMSprop epsilons; a run still in progress
    # (runs/mnist_dcgan_clip).
    "mnist_dcgan_clip": {
        "sha256": {
            "generator.keras": "13ce251b21ed4c8d3908471a118e2c15b3a1edb35259d0eeec61306a4fca4065",
            "grid.png": "ed9319a2954a9c601e6589c469e92261cfb1b26460de87c0907baa295c6f8b9e",
            "metadata.json": "a48c0ac86ed032c2c380fdb43e0f52ebbe2a950ead84463ea75106dc069c50fa",
        },
    },
    # Spectral normalization, DCGAN at dim 32, MNIST, 69,000 generator steps
    # with a generator EMA (train_mnist.py); a run still in progress
    # (runs/mnist_dcgan_sn).
    "mnist_dcgan_sn": {
        "sha256": {
            "generator.keras": "47b43dc1cf64dbf33f9ca998f631c19c05b45cc77da6e2348a0f746a54098c47",
            "grid.png": "1155b1d68d7778ef12d9605793ec3f416d8593ae9b8132bbe011787ae01ac0a9",
            "metadata.json": "2e994a8ace570f4f5bb0046b6d0545e44dbcb0d27f2603db0a384fd2164dda53",
        },
    },
}
