"""Walking a model's layers, nested and wrapped ones included."""


def flatten_layers(layer, include_self=True):
    """Every layer inside `layer`, depth first, wrapped and nested ones included.

    Keras has no public recursive walk: `Model.layers` lists one level, and the
    layers inside wrappers (spectral normalization) or custom layers are reached
    only through the private `Layer._flatten_layers`. This is the one place
    that calls it.

    Args:
        layer: a `keras.layers.Layer` (a model is one).
        include_self: whether `layer` itself comes first.

    Returns:
        A list of layers.
    """
    return list(layer._flatten_layers(include_self=include_self))
