"""The registry of presets: each file's SHA-256, recorded in the package.

`load_generator` refuses files that do not match. `scripts/make_preset.py`
writes a preset and prints its entry.
"""

PRESETS = {
    # WGAN-GP, 4x512 MLPs, 8 Gaussians, 3000 generator steps (train_toy.py).
    "gaussians8_mlp_gp": {
        "sha256": {
            "generator.keras": "fc4c03214fe12ee29478b438fd4f17eda562eea46500457b95d538ed2ccc0903",
            "grid.png": "53b0edcb535dea423634801535c737c488e6933a39ecdc22626a0f39fe824a7c",
            "metadata.json": "6137ded635c5964fa0dde06da198b4af209cd3e65bdbd8fe2901a811c63e86e0",
        },
    },
}
