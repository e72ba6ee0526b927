"""Layers that take class labels: conditional batch norm and class embeddings."""

import keras
from keras import ops

from wgan_keras._utils.validation import validate_int
from wgan_keras.layers.normalization import BatchNormalization


def _rows(table, labels, rank):
    """`table[labels]`, shaped to broadcast over a rank-`rank` batch."""
    rows = ops.take(table, ops.cast(ops.reshape(labels, (-1,)), "int32"), axis=0)
    return ops.reshape(rows, (-1, *([1] * (rank - 2)), table.shape[-1]))


@keras.saving.register_keras_serializable(package="wgan_keras")
class ConditionalBatchNormalization(BatchNormalization):
    """Batch normalization with a scale and an offset per class.

    The batch is normalized with statistics shared by all classes (moving
    averages for inference, as in `BatchNormalization`), then sample `i` is
    scaled by `gamma[labels[i]]` and offset by `beta[labels[i]]`: one row of
    each `(num_classes, channels)` table per sample, initialized to ones and
    zeros. Called on `[inputs, labels]`, with integer labels of shape
    `(batch,)`.

    Args:
        num_classes: int >= 1, the number of classes.
        **kwargs: the arguments of `keras.layers.BatchNormalization` but
            `center` and `scale` (always per class here) and `axis` (last).

    Example:

    ```python
    bn = wk.layers.ConditionalBatchNormalization(num_classes=10)
    x = keras.random.normal((16, 8, 8, 64))
    outputs = bn([x, np.arange(16) % 10], training=True)  # (16, 8, 8, 64)
    ```

    Reference:
        de Vries et al., "Modulating early visual processing by language",
        NeurIPS 2017; Miyato & Koyama, "cGANs with Projection Discriminator",
        ICLR 2018 (categorical conditional batch normalization).
    """

    def __init__(self, num_classes, **kwargs):
        for fixed in ("center", "scale", "axis"):
            if fixed in kwargs:
                raise ValueError(
                    f"`ConditionalBatchNormalization` sets `{fixed}` itself. "
                    f"Received: {fixed}={kwargs[fixed]!r}"
                )
        validate_int("num_classes", num_classes)
        super().__init__(center=False, scale=False, **kwargs)
        self.num_classes = num_classes

    def build(self, input_shape):
        x_shape = input_shape[0]
        super().build(x_shape)
        self.input_spec = None  # Keras' spec is for one input; this takes two.
        shape = (self.num_classes, x_shape[-1])
        self.class_gamma = self.add_weight(
            shape=shape, name="class_gamma", initializer="ones", autocast=False
        )
        self.class_beta = self.add_weight(
            shape=shape, name="class_beta", initializer="zeros", autocast=False
        )

    def call(self, inputs, training=None):
        x, labels = inputs
        normalized = super().call(x, training=training)
        rank = len(x.shape)
        gamma = ops.cast(_rows(self.class_gamma, labels, rank), normalized.dtype)
        beta = ops.cast(_rows(self.class_beta, labels, rank), normalized.dtype)
        return normalized * gamma + beta

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        for fixed in ("center", "scale", "axis"):
            config.pop(fixed, None)
        return {**config, "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="wgan_keras")
class ClassEmbedding(keras.layers.Layer):
    """One learned vector per class: `kernel[labels]`.

    The table is called `kernel`, shape `(num_classes, units)`, so
    `wk.layers.SpectralNormalization` can wrap it (SN-GAN's `SNEmbedID`).

    Args:
        num_classes: int >= 1.
        units: int >= 1, the size of each class's vector.
        embeddings_initializer: initializer of the table (Glorot uniform, as
            SN-GAN's projection critic).

    Example:

    ```python
    embed = wk.layers.ClassEmbedding(num_classes=10, units=128)
    vectors = embed(np.array([3, 7]))  # (2, 128)
    ```

    Reference:
        Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018.
    """

    def __init__(
        self, num_classes, units, embeddings_initializer="glorot_uniform", **kwargs
    ):
        super().__init__(**kwargs)
        validate_int("num_classes", num_classes)
        validate_int("units", units)
        self.num_classes = num_classes
        self.units = units
        self.embeddings_initializer = keras.initializers.get(embeddings_initializer)

    def build(self, input_shape):
        del input_shape
        self.kernel = self.add_weight(
            shape=(self.num_classes, self.units),
            name="kernel",
            initializer=self.embeddings_initializer,
        )

    def call(self, labels):
        return _rows(self.kernel, labels, 2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "units": self.units,
            "embeddings_initializer": keras.initializers.serialize(
                self.embeddings_initializer
            ),
        }
