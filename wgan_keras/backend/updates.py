"""What the three trainers' optimizer steps share, written once in Keras.

Each backend's `WGANTrainer.optimizer_step` takes the gradient its own way and
applies it; the loss it differentiates, and the finiteness check under loss
scaling, are the same everywhere.
"""

import keras


def scaled_loss(optimizer, loss_fn, replicas):
    """`loss_fn` as the function to differentiate: `values -> (scaled, (loss, aux))`.

    Under tf.distribute the optimizer sums the replicas' gradients, so each
    replica differentiates its share of the global mean loss; a
    `LossScaleOptimizer` (mixed_float16) then scales that share up.
    """

    def fn(values):
        loss, aux = loss_fn(values)
        share = loss if replicas == 1 else loss / replicas
        return optimizer.scale_loss(share), (loss, aux)

    return fn


def gradients_applied(optimizer, grads):
    """None, or under loss scaling whether the step will be applied.

    A `LossScaleOptimizer` skips the step where the scaled gradients overflow;
    the step's losses are then not recorded (`models.optimizers.record_mean`).
    """
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer.check_finite(grads)
    return None
