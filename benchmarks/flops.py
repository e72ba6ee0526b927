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


# (rows, inner, columns): a square sgemm and the MLP critic's hidden layer
# at batch 2 x 256 (real and fake in one pass).
ROOFLINE_SHAPES = ((2048, 2048, 2048), (512, 512, 512), (512, 512, 2048))


def _best_seconds(run, repeats):
    run()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(5):
            run()
        timings.append((time.perf_counter() - start) / 5)
    return float(np.median(timings))


def matmul_gflops(repeats=5, libraries=("tensorflow", "torch"), dtype="float32"):
    """The matmul roofline of this machine in `dtype`, in GFLOP/s.

    The best median GFLOP/s of TensorFlow's and PyTorch's gemm (Eigen or
    oneDNN, and MKL or oneDNN: whichever this machine runs faster) over
    `ROOFLINE_SHAPES`, in float32 or bfloat16 (AVX512-BF16 or AMX where the
    CPU has them). Returns `(gflops, {"library MxKxN": gflops})`.
    """
    results = {}
    for library in libraries:
        for m, k, n in ROOFLINE_SHAPES:
            if library == "tensorflow":
                import tensorflow as tf

                a = tf.cast(tf.random.normal((m, k)), dtype)
                b = tf.cast(tf.random.normal((k, n)), dtype)
                matmul = tf.function(tf.matmul)

                def run(a=a, b=b, matmul=matmul):
                    matmul(a, b).numpy()
            else:
                import torch

                a = torch.randn(m, k).to(getattr(torch, dtype))
                b = torch.randn(k, n).to(getattr(torch, dtype))

                def run(a=a, b=b):
                    torch.mm(a, b)

            seconds = _best_seconds(run, repeats)
            results[f"{library} {m}x{k}x{n}"] = 2 * m * k * n / seconds / 1e9
    return max(results.values()), results
