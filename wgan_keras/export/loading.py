"""Reading an exported SavedModel back: its `serving_default` as a sampler."""

import os


def is_saved_model(path):
    """Whether `path` is a SavedModel folder (it holds `saved_model.pb`)."""
    return os.path.isfile(os.path.join(os.fspath(path), "saved_model.pb"))


def load_saved_model_sampler(path):
    """`(sample, latent_dim, num_classes)`: an export's `serving_default`.

    Loaded with `tf.saved_model.load`; works under every Keras backend.
    `sample(z, labels=None)` returns the images as numpy; a conditional export
    needs `labels`, int32, one per row of `z`.

    Args:
        path: the SavedModel's version folder, e.g. `serving/mnist/1`.

    Returns:
        The sampler, the latent size, and the class count: None for an
        unconditional export, True for a conditional one that does not record
        its count (written before `export_generator` recorded it), else an int.

    Example:

    ```python
    sample, latent_dim, num_classes = load_saved_model_sampler("serving/mnist/1")
    images = sample(np.zeros((4, latent_dim), "float32"))
    ```
    """
    import tensorflow as tf

    loaded = tf.saved_model.load(os.fspath(path))
    function = loaded.signatures["serving_default"]
    inputs = function.structured_input_signature[1]
    latent_dim = inputs["z"].shape[-1]
    num_classes = None
    if "labels" in inputs:
        recorded = getattr(loaded, "num_classes", None)
        num_classes = True if recorded is None else int(recorded())

    def sample(z, labels=None):
        feeds = {"z": tf.constant(z)}
        if num_classes is not None:
            feeds["labels"] = tf.constant(labels, tf.int32)
        return function(**feeds)["images"].numpy()

    return sample, latent_dim, num_classes
