"""What the networks share: layer wrappers, class conditioning, checks."""

import keras

from wgan_keras._utils.validation import validate_int
from wgan_keras.layers import (
    BatchNormalization,
    ClassEmbedding,
    ConditionalBatchNormalization,
    SpectralNormalization,
)

# How a class-conditional critic uses the labels: added to its score through
# a class embedding (Miyato & Koyama 2018), or predicted by an auxiliary
# classifier head (ACGAN, as in the WGAN-GP paper's conditional CIFAR-10 run).
CONDITIONINGS = ("projection", "auxiliary")

# What a network passes on to `keras.Model`; Keras' functional `Model` would
# drop anything else without a word (a misspelt `hidden_units=16` for
# `hidden_dim` would train the default width).
MODEL_KWARGS = ("name", "trainable", "dtype")


def check_model_kwargs(network, kwargs):
    """Raises on keyword arguments that `network` (a class name) does not take."""
    unknown = {k: v for k, v in kwargs.items() if k not in MODEL_KWARGS}
    if unknown:
        raise ValueError(
            f"Unrecognized keyword arguments passed to {network}: {unknown}. "
            f"It takes its own arguments and {list(MODEL_KWARGS)}"
        )


def spectral_norm_wrapper(enabled, power_iterations):
    """Returns `wrap(layer)`: the layer in `SpectralNormalization` if enabled."""

    def wrap(layer):
        if not enabled:
            return layer
        return SpectralNormalization(
            layer,
            power_iterations=power_iterations,
            name=f"{layer.name}_sn",
            dtype=layer.dtype_policy,
        )

    return wrap


class NetworkConfig:
    """`get_config` and `from_config` from a network's constructor arguments.

    A network is a functional `keras.Model` built by its own constructor, so
    Keras rebuilds it from those arguments, not from its graph. Each network
    names them in `config_arguments` and keeps each in the attribute of the
    same name, or in the one `config_attributes` maps it to.
    """

    config_arguments = ()
    config_attributes = {}

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            **{
                argument: getattr(self, self.config_attributes.get(argument, argument))
                for argument in self.config_arguments
            },
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def check_conditioning(num_classes, conditioning):
    """Validates `num_classes` (None or an int >= 2) and `conditioning`."""
    if num_classes is not None:
        validate_int("num_classes", num_classes, minimum=2)
    if conditioning not in CONDITIONINGS:
        raise ValueError(
            f"`conditioning` must be one of {CONDITIONINGS}. Received: "
            f"conditioning={conditioning!r}"
        )


def labels_input():
    """The integer class labels a conditional network takes, one per sample."""
    return keras.Input(shape=(), dtype="int32", name="labels")


def normalizer(num_classes, epsilon):
    """`normalize(x, labels, name)`: batch norm, per class where conditional."""

    def normalize(x, labels, name):
        if num_classes is None or labels is None:
            return BatchNormalization(epsilon=epsilon, name=name)(x)
        layer = ConditionalBatchNormalization(num_classes, epsilon=epsilon, name=name)
        return layer([x, labels])

    return normalize


def score_dtype():
    """The dtype of a critic's score layers: float32 under a mixed policy.

    A critic's scores drift to hundreds (its loss ignores a shared offset)
    while the Wasserstein estimate is their difference: bfloat16 keeps 8
    significant bits and float16 overflows at 65,504, so the layers that
    compute the scores run in float32, as Keras' mixed-precision guide has a
    model's outputs do. They are one dense layer (and a class embedding): no
    measurable time. None (the global policy) otherwise.
    """
    policy = keras.config.dtype_policy()
    return "float32" if policy.compute_dtype != policy.variable_dtype else None


def critic_outputs(features, labels, num_classes, conditioning, wrap, output_bias):
    """A critic's outputs from its final `(batch, units)` features.

    Unconditional: one score per sample, `(batch, 1)`. With `num_classes`,
    projection adds `<embed(labels), features>` to that score; auxiliary
    returns `[scores, class_logits]`, the logits `(batch, num_classes)`.

    Args:
        features: the critic's last hidden features, `(batch, units)`.
        labels: the labels input, or None.
        num_classes: None or the number of classes.
        conditioning: one of `CONDITIONINGS`.
        wrap: the spectral-norm wrapper of the critic's layers.
        output_bias: whether the score's dense layer has a bias.
    """
    dtype = score_dtype()
    dense = keras.layers.Dense(1, use_bias=output_bias, name="score", dtype=dtype)
    scores = wrap(dense)(features)
    if num_classes is None:
        return scores
    if conditioning == "auxiliary":
        classifier = keras.layers.Dense(num_classes, name="class_logits", dtype=dtype)
        return [scores, wrap(classifier)(features)]
    embedding = ClassEmbedding(
        num_classes, features.shape[-1], name="class_embedding", dtype=dtype
    )
    embedded = wrap(embedding)(labels)
    projection = keras.layers.Dot(axes=-1, dtype=dtype)([embedded, features])
    return keras.layers.Add(name="projected_score", dtype=dtype)([scores, projection])


def critic_inputs(images, labels, num_classes, conditioning):
    """What a critic takes: images, and labels where it projects them."""
    if num_classes is not None and conditioning == "projection":
        return [images, labels]
    return images
