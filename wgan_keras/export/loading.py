"""Reading an exported SavedModel back: its `serving_default` as a sampler."""

import os


def is_saved_model(path):
    """Whether `path` is a SavedModel folder (it holds `saved_model.pb`)."""
    return os.path.isfile(os.path.join(os.fspath(path), "saved_model.pb"))


def load_saved_model_sampler(path, labels_for=None):
    """`(sample, latent_dim)`: an export's `serving_default` from noise to numpy.

    Loaded with `tf.saved_model.load`; works under every Keras backend.

    Args:
        path: the SavedModel's version folder, e.g. `serving/mnist/1`.
        labels_for: for a conditional export (a `labels` input), a function
            from a sample count to that many int32 labels.

    Example:

    ```python
    sample, latent_dim = load_saved_model_sampler("serving/mnist/1")
    images = sample(np.zeros((4, latent_dim), "float32"))
    ```
    """
    import tensorflow as tf

    function = tf.saved_model.load(os.fspath(path)).signatures["serving_default"]
    inputs = function.structured_input_signature[1]
    latent_dim = inputs["z"].shape[-1]
    if "labels" in inputs and labels_for is None:
        raise ValueError(
            "This export is conditional (it takes `labels`): pass `labels_for`. "
            f"Received: labels_for=None for {os.fspath(path)!r}"
        )

    def sample(z):
        feeds = {"z": tf.constant(z)}
        if "labels" in inputs:
            feeds["labels"] = tf.constant(labels_for(len(z)), tf.int32)
        return function(**feeds)["images"].numpy()

    return sample, latent_dim
