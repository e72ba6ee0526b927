"""Reading an exported SavedModel back: its `serving_default` as a sampler."""

import os


def is_saved_model(path):
    """Whether `path` is a SavedModel folder (it holds `saved_model.pb`)."""
    return os.path.isfile(os.path.join(os.fspath(path), "saved_model.pb"))


def load_saved_model_sampler(path):
    """`(sample, latent_dim)`: an export's `serving_default` from noise to numpy.

    Loaded with `tf.saved_model.load`; works under every Keras backend.

    Args:
        path: the SavedModel's version folder, e.g. `serving/mnist/1`.

    Example:

    ```python
    sample, latent_dim = load_saved_model_sampler("serving/mnist/1")
    images = sample(np.zeros((4, latent_dim), "float32"))
    ```
    """
    import tensorflow as tf

    function = tf.saved_model.load(os.fspath(path)).signatures["serving_default"]
    latent_dim = function.structured_input_signature[1]["z"].shape[-1]

    def sample(z):
        return function(z=tf.constant(z))["images"].numpy()

    return sample, latent_dim
