"""Per-layer convolution times of the 28x28 DCGAN: XLA on CPU against PyTorch.

The profile behind the JAX rows of `train_step.py`. For each convolution of
`DCGANCritic((28, 28, 1))` (batch 128: the real and fake batches in one pass)
and `DCGANGenerator(128, (28, 28, 1))` (batch 64), times under `jax.jit` the
forward pass, the gradient with respect to the input and the gradient with
respect to the kernel (each timed alone, forward included), once with
`keras.ops.conv` / `keras.ops.conv_transpose` (what Keras' JAX layers run)
and once with `wgan_keras`'s JAX primitives (`wk.layers.Conv2D`'s path), and
the same three with `torch.nn.functional` in the same process. Median of 5
calls after a warm-up call, in milliseconds.

    KERAS_BACKEND=jax python benchmarks/convolutions.py
"""

import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from wgan_keras.backend import jax as wgan_jax  # noqa: E402
from wgan_keras.backend.convolution import same_padding  # noqa: E402

# (kind, batch, input size, in channels, out channels); kernel 5, stride 2.
LAYERS = [
    ("conv", 128, 28, 1, 64),
    ("conv", 128, 14, 64, 128),
    ("conv", 128, 7, 128, 256),
    ("transpose", 64, 4, 256, 128),
    ("transpose", 64, 7, 128, 64),
    ("transpose", 64, 14, 64, 1),
]
STRIDES = (2, 2)
# kind: (Keras' op, wgan_keras's JAX primitive), both on (x, kernel).
OPS = {
    "conv": (
        lambda x, k: keras.ops.conv(x, k, strides=STRIDES, padding="same"),
        lambda x, k: wgan_jax.conv2d(x, k, STRIDES, "same"),
    ),
    "transpose": (
        lambda x, k: keras.ops.conv_transpose(x, k, strides=STRIDES, padding="same"),
        lambda x, k: wgan_jax.conv2d_transpose(x, k, STRIDES, "same"),
    ),
}


def median_ms(fn, *args):
    block = jax.block_until_ready if isinstance(args[0], jax.Array) else lambda x: x
    block(fn(*args))
    times = []
    for _ in range(5):
        start = time.perf_counter()
        block(fn(*args))
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def jax_times(op, x, kernel):
    def loss(x, kernel):
        return jnp.sum(jnp.square(op(x, kernel)))

    return [
        median_ms(jax.jit(op), x, kernel),
        median_ms(jax.jit(jax.grad(loss, 0)), x, kernel),
        median_ms(jax.jit(jax.grad(loss, 1)), x, kernel),
    ]


def torch_times(kind, x, kernel):
    """The same layer in NCHW, as a plain-PyTorch model runs it."""
    x = torch.from_numpy(np.asarray(x)).permute(0, 3, 1, 2).contiguous()
    if kind == "conv":
        weight = torch.from_numpy(np.asarray(kernel)).permute(3, 2, 0, 1)
        pads = [same_padding(n, 5, 2) for n in x.shape[2:]]
        (top, bottom), (left, right) = pads

        def op(x, w):
            return F.conv2d(F.pad(x, (left, right, top, bottom)), w, stride=2)
    else:
        weight = torch.from_numpy(np.asarray(kernel)).permute(3, 2, 0, 1)

        def op(x, w):
            return F.conv_transpose2d(x, w, stride=2, padding=2, output_padding=1)

    weight = weight.contiguous()

    def gradient(wrt):
        def run(x, w):
            x, w = x.detach().requires_grad_(wrt == 0), w.detach().requires_grad_()
            loss = op(x, w).square().sum()
            return torch.autograd.grad(loss, (x, w)[wrt])

        return run

    with torch.no_grad():
        forward = median_ms(op, x, weight)
    return [
        forward,
        median_ms(gradient(0), x, weight),
        median_ms(gradient(1), x, weight),
    ]


def main():
    rng = np.random.default_rng(0)
    print(f"{'layer':34} {'':14} {'forward':>8} {'d/input':>8} {'d/kernel':>8}  (ms)")
    for kind, batch, size, cin, cout in LAYERS:
        x = jnp.asarray(rng.normal(size=(batch, size, size, cin)), "float32")
        keras_op, ours = OPS[kind]
        kernel_shape = (5, 5, cin, cout) if kind == "conv" else (5, 5, cout, cin)
        kernel = jnp.asarray(rng.normal(size=kernel_shape), "float32")
        output = -(-size // 2) if kind == "conv" else 2 * size
        name = f"{kind} {size}->{output}, {cin}->{cout}, batch {batch}"
        rows = [
            ("XLA, keras.ops", jax_times(keras_op, x, kernel)),
            ("XLA, wgan_keras", jax_times(ours, x, kernel)),
            ("PyTorch", torch_times(kind, x, kernel)),
        ]
        for i, (label, times) in enumerate(rows):
            print(
                f"{name if i == 0 else '':34} {label:14} "
                + " ".join(f"{t:8.1f}" for t in times)
            )


if __name__ == "__main__":
    main()
