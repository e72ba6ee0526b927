"""Convolution arithmetic the backends share, written once in `keras.ops`.

A strided convolution's transpose (Keras' `conv_transpose`, and the gradient
of a strided convolution with respect to its input) is a convolution of the
input dilated with zeros. XLA's CPU compiler runs such input-dilated
convolutions an order of magnitude slower than plain ones: 376 ms against 28
ms for the gradient of the DCGAN critic's 7x7 -> 4x4, 128 -> 256 channel
layer at batch 128 (`benchmarks/README.md`). `transposed_convolution` computes
the same result as one stride-1 convolution that yields every output phase
(`strides[0] * strides[1]` of them) as channels, followed by a depth-to-space
shuffle (the sub-pixel convolution of Shi et al. 2016), so no zero is ever
multiplied.
"""

import numpy as np
from keras import ops


def same_padding(size, kernel_size, stride):
    """`(before, after)` padding of a `"same"` convolution along one axis.

    As TensorFlow and JAX pad: the output has `ceil(size / stride)` positions
    and an odd total puts the extra zero after.

    Args:
        size: int, input length along the axis.
        kernel_size: int, kernel length along the axis.
        stride: int, stride along the axis.

    Returns:
        `(before, after)`, two ints.
    """
    outputs = -(-size // stride)
    total = max((outputs - 1) * stride + kernel_size - size, 0)
    return total // 2, total - total // 2


def transposed_size(size, kernel_size, stride, padding):
    """Output length of Keras' `conv_transpose` along one axis.

    Without `output_padding`: `size * stride` for `"same"`, and
    `size * stride + max(kernel_size - stride, 0)` for `"valid"`.
    """
    if padding == "same":
        return size * stride
    return size * stride + max(kernel_size - stride, 0)


def _phase_plan(size, outputs, kernel_size, stride, before):
    """One axis of `transposed_convolution`.

    The transpose of `y[o] = sum_t x[o * stride + t - before] * w[t]` is
    `x[i] = sum_{o, t: o * stride + t - before = i} y[o] * w[t]`. For the
    outputs `i = stride * q + p` of phase `p` this is a stride-1 correlation
    of `y` with the taps `t = p + before (mod stride)` in reverse order. The
    phases' taps are aligned on one common window of `width` taps.

    Returns:
        `(taps, pad_before, pad_after, per_phase)`: `taps[p, j]` is the kernel
        tap at window position `j` of phase `p` (`-1`: none, a zero), `y` is
        padded by `(pad_before, pad_after)` and each phase yields `per_phase`
        outputs.
    """
    phases = []
    for phase in range(stride):
        first, shift = (phase + before) % stride, (phase + before) // stride
        phase_taps = list(range(first, kernel_size, stride))
        phases.append((phase_taps, len(phase_taps) - 1 - shift))
    pad_before = max(lead for _, lead in phases)
    width = max(pad_before - lead + len(t) for t, lead in phases)
    per_phase = -(-size // stride)
    pad_after = per_phase + width - 1 - pad_before - outputs
    taps = np.full((stride, width), -1)
    for phase, (phase_taps, lead) in enumerate(phases):
        for j, tap in enumerate(reversed(phase_taps)):
            taps[phase, pad_before - lead + j] = tap
    return taps, pad_before, pad_after, per_phase


def transposed_convolution(y, kernel, strides, padding, output_size):
    """The transpose of a 2-D convolution, without input dilation.

    For `x` of spatial size `output_size`, equals the gradient of
    `sum(ops.conv(x, kernel, strides, padding) * y)` with respect to `x`,
    which is also `ops.conv_transpose(y, transposed_kernel, strides, padding)`
    with the kernel's channel axes swapped.

    Args:
        y: `(batch, height, width, out_channels)`, channels last.
        kernel: `(kernel_height, kernel_width, in_channels, out_channels)`,
            the convolution's kernel.
        strides: `(stride_height, stride_width)`.
        padding: `"same"` or `"valid"`, the convolution's padding.
        output_size: `(height, width)` of the convolution's input, which is
            this function's output.

    Returns:
        `(batch, height, width, in_channels)`.

    Example:

    ```python
    x = keras.random.normal((8, 14, 14, 64))
    kernel = keras.random.normal((5, 5, 64, 128))
    y = keras.ops.conv(x, kernel, strides=2, padding="same")  # (8, 7, 7, 128)
    dx = transposed_convolution(y, kernel, (2, 2), "same", (14, 14))
    ```

    Reference:
        Shi et al., "Real-Time Single Image and Video Super-Resolution Using an
        Efficient Sub-Pixel Convolutional Neural Network", CVPR 2016.
    """
    kernel_height, kernel_width, in_channels, out_channels = kernel.shape
    plans = []
    for axis, kernel_size in ((0, kernel_height), (1, kernel_width)):
        before = 0
        if padding == "same":
            before = same_padding(output_size[axis], kernel_size, strides[axis])[0]
        plans.append(
            _phase_plan(
                output_size[axis], y.shape[1 + axis], kernel_size, strides[axis], before
            )
        )
    (rows, top, bottom, per_row), (cols, left, right, per_col) = plans
    # A zero row and column at the end of the kernel stand for the taps -1.
    kernel = ops.pad(kernel, ((0, 1), (0, 1), (0, 0), (0, 0)))
    taps = ops.take(kernel, np.where(rows < 0, kernel_height, rows).ravel(), axis=0)
    taps = ops.take(taps, np.where(cols < 0, kernel_width, cols).ravel(), axis=1)
    stride_h, window_h = rows.shape
    stride_w, window_w = cols.shape
    taps = ops.reshape(
        taps, (stride_h, window_h, stride_w, window_w, in_channels, out_channels)
    )
    # (window_h, window_w, out_channels, phases * in_channels), phase-major.
    taps = ops.reshape(
        ops.transpose(taps, (1, 3, 5, 0, 2, 4)),
        (window_h, window_w, out_channels, stride_h * stride_w * in_channels),
    )
    # Negative pads crop.
    y = y[:, max(-top, 0) :, max(-left, 0) :]
    y = y[:, : y.shape[1] - max(-bottom, 0), : y.shape[2] - max(-right, 0)]
    y = ops.pad(
        y,
        ((0, 0), (max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0)), (0, 0)),
    )
    phases = ops.conv(y, taps, strides=1, padding="valid")
    batch = ops.shape(phases)[0]
    x = ops.reshape(phases, (batch, per_row, per_col, stride_h, stride_w, in_channels))
    x = ops.reshape(
        ops.transpose(x, (0, 1, 3, 2, 4, 5)),
        (batch, per_row * stride_h, per_col * stride_w, in_channels),
    )
    return x[:, : output_size[0], : output_size[1]]
