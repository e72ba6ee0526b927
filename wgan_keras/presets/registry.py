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
    # WGAN-GP, 4x512 MLPs, 8 Gaussians, 3000 generator steps (train_toy.py).
    "gaussians8_mlp_gp": {
        "sha256": {
            "generator.keras": "fc4c03214fe12ee29478b438fd4f17eda562eea46500457b95d538ed2ccc0903",
            "grid.png": "53b0edcb535dea423634801535c737c488e6933a39ecdc22626a0f39fe824a7c",
            "metadata.json": "6137ded635c5964fa0dde06da198b4af209cd3e65bdbd8fe2901a811c63e86e0",
        },
    },
}
