"""Walking a model's layers, nested and wrapped ones included; copying a model."""

import keras


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


def copy_with_weights(model, dtype_policy=None):
    """A new model of `model`'s architecture holding its current weights.

    A `wk.networks` model (it lists its `config_arguments`) is rebuilt from
    its arguments as its own class, so the copy keeps what the class records
    (a conditional generator's `num_classes`); other models are cloned.

    Args:
        model: a built `keras.Model`.
        dtype_policy: None to keep the layers' policies, or a policy name
            (e.g. `"mixed_bfloat16"`) for every layer of the copy.

    Returns:
        The copy, built, with `model`'s weights.
    """
    previous = keras.config.dtype_policy()
    if dtype_policy is not None:
        # wk.networks create their layers under the global policy.
        keras.config.set_dtype_policy(dtype_policy)
    try:
        if hasattr(model, "config_arguments"):
            copy = type(model).from_config(model.get_config())
        elif dtype_policy is None:
            copy = keras.models.clone_model(model)
        else:
            copy = keras.models.clone_model(
                model,
                clone_function=lambda layer: type(layer).from_config(
                    {**layer.get_config(), "dtype": dtype_policy}
                ),
            )
    finally:
        keras.config.set_dtype_policy(previous)
    if not copy.built:
        copy.build((None, *model.input_shape[1:]))
    copy.set_weights(model.get_weights())
    return copy
