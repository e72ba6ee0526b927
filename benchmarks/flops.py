"""Counted multiply-adds of Keras networks and a measured matmul roofline."""

import math
import time

import numpy as np


def _layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            yield from _layers(layer)
        else:
            yield layer


def _inner(layer):
    """The wrapped layer of a wrapper (spectral normalization), else `layer`."""
    return getattr(layer, "layer", layer)


def multiply_adds(model):
    """Multiply-adds of one sample through `model`'s dense and conv layers.

    Dense: inputs x units (per position). Conv2D: output pixels x kernel area
    x in x out channels. Conv2DTranspose: input pixels x kernel area x in x out
    channels (each input pixel scatters one kernel). Elementwise layers (bias,
    activations, normalization) are not counted: they are a few percent.
    """
    import keras

    total = 0
    for layer in _layers(model):
        inner = _inner(layer)
        if not isinstance(
            inner,
            (keras.layers.Dense, keras.layers.Conv2D, keras.layers.Conv2DTranspose),
        ):
            continue
        input_shape = tuple(layer.input.shape[1:])
        output_shape = tuple(layer.output.shape[1:])
        kernel = math.prod(inner.kernel.shape)  # area x in x out (dense: in x out)
        if isinstance(inner, keras.layers.Dense):
            total += math.prod(input_shape[:-1]) * kernel
        elif isinstance(inner, keras.layers.Conv2DTranspose):
            total += math.prod(input_shape[:-1]) * kernel
        else:
            total += math.prod(output_shape[:-1]) * kernel
    return total


def matmul_gflops(size=2048, repeats=5):
    """Float32 matmul GFLOP/s of this machine, measured with TensorFlow."""
    import tensorflow as tf

    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    matmul = tf.function(lambda a, b: tf.matmul(a, b))
    matmul(a, b).numpy()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(5):
            result = matmul(a, b)
        result.numpy()
        timings.append((time.perf_counter() - start) / 5)
    return 2 * size**3 / float(np.median(timings)) / 1e9
