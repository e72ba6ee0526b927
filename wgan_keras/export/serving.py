"""TF Serving's layout: the model repository's `models.config` and how to serve it."""

import os

MODELS_CONFIG = "models.config"


def models_config(path):
    """TF Serving's `models.config` for every SavedModel under `path`.

    Each model's `base_path` is `/models/<name>`, as when `path` is mounted at
    `/models` in the TF Serving container.
    """
    names = []
    for name in sorted(os.listdir(path)):
        model_dir = os.path.join(path, name)
        if name.startswith(".") or not os.path.isdir(model_dir):
            continue
        if any(
            version.isdigit()
            and os.path.isfile(os.path.join(model_dir, version, "saved_model.pb"))
            for version in os.listdir(model_dir)
        ):
            names.append(name)
    configs = "".join(
        "  config {\n"
        f'    name: "{name}"\n'
        f'    base_path: "/models/{name}"\n'
        '    model_platform: "tensorflow"\n'
        "  }\n"
        for name in names
    )
    return f"model_config_list {{\n{configs}}}\n"


def serving_command(path, gpu=True):
    """The `docker run` line that serves every model under `path`."""
    image = "tensorflow/serving:latest-gpu" if gpu else "tensorflow/serving"
    gpus = "--gpus all " if gpu else ""
    return (
        f"docker run --rm {gpus}-p 8500:8500 -p 8501:8501 "
        f'-v "{os.path.abspath(path)}:/models" {image} '
        f"--model_config_file=/models/{MODELS_CONFIG}"
    )
