"""Batch normalization's training pass, written once in `keras.ops`.

JAX compiles the step, and XLA fuses these few ops. PyTorch would run them
one by one and TensorFlow's graph keeps them apart; both have a fused kernel
instead (`wgan_keras.backend.torch.batch_normalization`,
`wgan_keras.backend.tensorflow.batch_normalization`).
"""

from keras import ops


def batch_normalization(x, scale, offset, epsilon):
    """Normalizes `x` with its own statistics over every axis but the last.

    Computes what `keras.layers.BatchNormalization(axis=-1)` computes in
    training mode, with the same ops.

    Args:
        x: tensor of rank >= 2, channels last.
        scale: `(channels,)` gamma, or None for 1.
        offset: `(channels,)` beta, or None for 0.
        epsilon: float added to the variance.

    Returns:
        `(outputs, mean, variance)`: the normalized `x`, and the batch mean
        and biased variance of shape `(channels,)` (for the moving averages).
    """
    mean, variance = ops.moments(x, axes=list(range(len(x.shape) - 1)))
    outputs = ops.batch_normalization(
        x, mean, variance, axis=-1, offset=offset, scale=scale, epsilon=epsilon
    )
    return outputs, mean, variance
