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
            "metadata.json": "78b36f67fdd7a457c839adea89695cfa02e5f3d1e259805e1b19ac83bccc3863",
        },
    },
    # WGAN-GP, DCGAN at dim 32, MNIST, 36,000 generator steps with a generator
    # EMA, the learning rates falling linearly to 0 over the last 6,000
    # (train_mnist.py; docs/presets/mnist_dcgan_gp.md).
    "mnist_dcgan_gp": {
        "sha256": {
            "generator.keras": "f9614c927e78fa7a21f73c17f9a231c8f3c29f845504bad80f78b03d3d226abe",
            "grid.png": "8ec35c34d5eb2d2e0d41327499a022e1bc84ebd59f65b90a0fff3acc7779f8fc",
            "metadata.json": "80342cbd39d71398be04fff24fe900c2368c97bf2141f49150cad282612cca1f",
        },
    },
    # Weight clipping, DCGAN at dim 32 with batch norm, MNIST, 75,000 generator
    # steps with a generator EMA, the learning rates falling linearly to 0 over
    # the last 10,000 (train_mnist.py), from the run restarted with the papers'
    # batch norm and RMSprop epsilons (docs/presets/mnist_dcgan_clip.md).
    "mnist_dcgan_clip": {
        "sha256": {
            "generator.keras": "a166be3c79e2b84be0b5fe3fd578ebe77ea2751528da6bbd99a030b756f26509",
            "grid.png": "8aa6c6bbd09f23897bf05fd88c4782431dfc05aa2399533596633512cfc63b9e",
            "metadata.json": "67e3427356604b31474144e262aaafc9126827a2e569109c726c856ef63a3e16",
        },
    },
    # Spectral normalization, DCGAN at dim 32, one critic step per generator
    # step, MNIST, 120,000 generator steps with a generator EMA, the learning
    # rates falling linearly to 0 over the last 20,000 (train_mnist.py;
    # docs/presets/mnist_dcgan_sn.md).
    "mnist_dcgan_sn": {
        "sha256": {
            "generator.keras": "09f4d998442c6d86a82b1048a0e63364992b03526cf320d675a141cfd410c048",
            "grid.png": "e4c2a4ff4d78ebbd4ef1e954f75309398bcc575755c34d7fe584e50ad406bd85",
            "metadata.json": "f943775e380fa510b0cd4b32facb2e1315b02598137add264f693b24e4a7d5c4",
        },
    },
    # Class-conditional spectral normalization: conditional batch norm in the
    # generator, a projection critic, DCGAN at dim 32, one critic step per
    # generator step, MNIST, 40,000 generator steps with a generator EMA, the
    # learning rates falling linearly to 0 over the last 10,000
    # (train_mnist.py --conditional; docs/presets/mnist_dcgan_sn_conditional.md).
    "mnist_dcgan_sn_conditional": {
        "sha256": {
            "generator.keras": "e69515ee659ffc95d55d234340c3c76a734417b5356da655c952e3a5dc3346d9",
            "grid.png": "065701b95e6983801964b5060153aa389ec5b5868465bf23f4873979f41be934",
            "metadata.json": "6a5c180c84a28e37a8bf7ba173e4e7678629c53f8fe2cd49296d34e837b15a66",
        },
    },
}
