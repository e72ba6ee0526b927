"""Class-conditional GANs: which network takes labels, and how losses use them.

A conditional generator takes `[z, labels]`. A conditional critic either
takes `[samples, labels]` and folds the labels into its score (projection,
Miyato & Koyama 2018), or takes samples and returns `[scores,
class_logits]` (an auxiliary classifier, ACGAN; Odena et al. 2017, as in
the WGAN-GP paper's conditional CIFAR-10 run).
"""

import keras
from keras import ops

from wgan_keras.models.sampling import replica_rows


def _input_count(model):
    inputs = getattr(model, "inputs", None)
    return len(inputs) if inputs else None


def _output_count(model):
    outputs = getattr(model, "outputs", None)
    return len(outputs) if outputs else None


def network_conditioning(generator, critic, num_classes):
    """`(num_classes, critic_takes_labels, critic_classifies)`, checked.

    `num_classes` defaults to the generator's own (`wk.networks` keep it). A
    functional network's inputs and outputs say how it takes labels; other
    models say it with `num_classes` and `conditioning` attributes, as
    `wk.networks` do.
    """
    if num_classes is None:
        num_classes = getattr(generator, "num_classes", None)
    if num_classes is not None and (
        not isinstance(num_classes, int)
        or isinstance(num_classes, bool)
        or num_classes < 2
    ):
        raise ValueError(
            f"`num_classes` must be None or an int >= 2. Received: "
            f"num_classes={num_classes!r}"
        )
    generator_inputs = _input_count(generator)
    if num_classes is None:
        if generator_inputs == 2 or getattr(critic, "num_classes", None):
            raise ValueError(
                "The generator or critic takes class labels, but the GAN was "
                "given no `num_classes`. Pass `num_classes` (or use networks "
                f"built with it). Received: num_classes=None, generator inputs="
                f"{generator_inputs}, critic num_classes="
                f"{getattr(critic, 'num_classes', None)}"
            )
        return None, False, False
    if generator_inputs not in (None, 2):
        raise ValueError(
            "A conditional GAN's generator takes `[z, labels]`. Received: a "
            f"generator with {generator_inputs} input(s), num_classes={num_classes}"
        )
    critic_classes = getattr(critic, "num_classes", num_classes)
    if critic_classes not in (None, num_classes):
        raise ValueError(
            f"The critic must know the generator's {num_classes} classes. "
            f"Received: a critic with num_classes={critic_classes}"
        )
    takes_labels = _input_count(critic) == 2 or (
        _input_count(critic) is None
        and getattr(critic, "conditioning", None) == "projection"
        and critic_classes is not None
    )
    classifies = _output_count(critic) == 2 or (
        _output_count(critic) is None
        and getattr(critic, "conditioning", None) == "auxiliary"
    )
    if not (takes_labels or classifies):
        raise ValueError(
            "A conditional GAN needs a critic that uses the labels: one that "
            "takes `[samples, labels]` (projection) or returns `[scores, "
            "class_logits]` (auxiliary classifier), e.g. "
            f"`wk.networks.DCGANCritic(num_classes={num_classes})`. Received: a "
            "critic that takes samples and returns scores only"
        )
    return num_classes, takes_labels, classifies


def class_cross_entropy(logits, labels):
    """Mean softmax cross-entropy of `(batch, classes)` logits, in float32."""
    return ops.mean(
        keras.losses.sparse_categorical_crossentropy(
            labels, ops.cast(logits, "float32"), from_logits=True
        )
    )


class LabelConditioning:
    """The inputs and outputs of conditional networks: a mix-in.

    Unconditional GANs pass samples and scores through unchanged.
    """

    def generator_inputs(self, z, labels):
        return z if self.num_classes is None else [z, labels]

    def critic_inputs(self, samples, labels):
        return [samples, labels] if self.critic_takes_labels else samples

    def critic_outputs(self, outputs):
        """`(scores, class_logits)`; the logits None without a classifier."""
        if self.critic_classifies:
            return outputs[0], outputs[1]
        return outputs, None

    def sample_labels(self, batch_size):
        """Uniform class labels for generator updates, one per sample."""
        return replica_rows(
            lambda n: keras.random.randint(
                (n,), 0, self.num_classes, seed=self.seed_generator, dtype="int32"
            ),
            batch_size,
        )

    def real_labels(self, data):
        """The labels of a batch as int32 `(batch,)`, or None if unconditional."""
        if self.num_classes is None:
            return None
        _, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is None:
            raise ValueError(
                f"A conditional GAN (num_classes={self.num_classes}) trains on "
                "labelled samples: pass `fit(x, y)` or data yielding "
                "`(samples, labels)`. Received: batches without labels"
            )
        return ops.reshape(ops.cast(labels, "int32"), (-1,))

    def classifier_losses(self, logits, labels, generator=False):
        """The ACGAN term of a loss (0 without an auxiliary classifier)."""
        if logits is None:
            return 0.0, None
        loss = class_cross_entropy(logits, labels)
        weight = self.acgan_generator_weight if generator else self.acgan_weight
        return weight * loss, loss
