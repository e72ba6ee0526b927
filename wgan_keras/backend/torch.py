"""PyTorch primitives: `torch.autograd.grad`, with `create_graph` for the penalty."""

import contextlib
import os

import numpy as np
import torch
import torch.nn.functional as F
from keras.ops import convert_to_tensor

from wgan_keras.backend.convolution import same_padding, transposed_size
from wgan_keras.backend.updates import gradients_applied, scaled_loss


def value_and_grad(fn, values):
    values = [
        v if v.requires_grad else convert_to_tensor(v).detach().requires_grad_(True)
        for v in values
    ]
    loss, aux = fn(values)
    # Weights that do not reach the loss (an output bias under the penalty) get 0.
    grads = torch.autograd.grad(loss, values, allow_unused=True, materialize_grads=True)
    return (loss, aux), list(grads)


def input_gradient(fn, x):
    x = convert_to_tensor(x).detach().requires_grad_(True)
    outputs = fn(x)
    (grad,) = torch.autograd.grad(
        outputs.sum(), x, create_graph=True, materialize_grads=True
    )
    return grad


def cond_update(pred, fn, variables):
    del variables
    if bool(pred):
        fn()


# Keras' torch convolutions copy each channels-last input to channels-first
# and back to channels-last memory, copy the kernel, and run a transposed
# convolution at its full size before cropping it (11x11 for an 8x8 output).
# A channels-last tensor viewed as channels-first is already in torch's
# channels-last memory format, which oneDNN convolves directly. Its kernel
# must be channels-last too, or torch copies it element by element on every
# call and again in the backward pass; one contiguous 2-D transpose of Keras'
# (h, w, in, out) kernel gives that layout in half the time.


def _channels_last_kernel(kernel):
    """Keras' (h, w, a, b) kernel as torch's (b, a, h, w), channels-last."""
    kernel = convert_to_tensor(kernel)
    return kernel.permute(3, 0, 1, 2).contiguous().permute(0, 3, 1, 2)


def conv2d(x, kernel, strides, padding):
    x = convert_to_tensor(x).permute(0, 3, 1, 2)
    kernel = _channels_last_kernel(kernel)  # (out, in, h, w)
    pads = [(0, 0), (0, 0)]
    if padding == "same":
        pads = [
            same_padding(n, k, s)
            for n, k, s in zip(x.shape[2:], kernel.shape[2:], strides)
        ]
    # torch pads symmetrically; "same" puts an odd zero after. Only that zero
    # is padded here: oneDNN's backward pass runs 25% slower on a fully
    # pre-padded input (27 against 22 ms for the critic's 14->7 layer).
    symmetric = tuple(min(before, after) for before, after in pads)
    extra = [(b - s, a - s) for (b, a), s in zip(pads, symmetric)]
    if any(any(e) for e in extra):
        (top, bottom), (left, right) = extra
        x = F.pad(x, (left, right, top, bottom))
    y = F.conv2d(x, kernel, stride=tuple(strides), padding=symmetric)
    return y.permute(0, 2, 3, 1)


def conv2d_transpose(x, kernel, strides, padding):
    x = convert_to_tensor(x).permute(0, 3, 1, 2)
    kernel = _channels_last_kernel(kernel)  # (in, out, h, w)
    sizes = [
        transposed_size(n, k, s, padding)
        for n, k, s in zip(x.shape[2:], kernel.shape[2:], strides)
    ]
    crops = [(0, 0), (0, 0)]
    if padding == "same":
        crops = [
            same_padding(n, k, s) for n, k, s in zip(sizes, kernel.shape[2:], strides)
        ]
    # torch crops `before` from both ends; "same" crops one more after where
    # the total is odd, which the slice drops.
    y = F.conv_transpose2d(
        x, kernel, stride=tuple(strides), padding=tuple(b for b, _ in crops)
    )
    return y[:, :, : sizes[0], : sizes[1]].permute(0, 2, 3, 1)


def batch_normalization(x, scale, offset, epsilon):
    # One fused kernel forward and one backward, where Keras' ops make a pass
    # over the activations each. Channels last viewed as channels first is
    # torch's channels-last memory format, which the kernel reads directly.
    x = convert_to_tensor(x)
    outputs, mean, inverse_std = torch.native_batch_norm(
        x.movedim(-1, 1), scale, offset, None, None, True, 0.0, epsilon
    )
    # The moving averages take the biased variance, as Keras' `ops.moments`.
    variance = inverse_std.detach().square().reciprocal() - epsilon
    return outputs.movedim(1, -1), mean.detach(), variance


def shard_batch(x):
    return x


def replica_position():
    # Keras' torch trainer runs on one device (see `WGANTrainer.fit`).
    return 0, 1


def data_replicas(model):
    del model
    return 1


def refuse_distribution():
    """Raises where torch is set up to train on several processes or devices.

    Keras' torch trainer has no data parallelism: it neither wraps the model in
    `DistributedDataParallel` nor splits batches. Under `torchrun` every process
    would silently train its own copy of the GAN on its own data.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        world_size = max(world_size, torch.distributed.get_world_size())
    if world_size > 1:
        raise RuntimeError(
            "Keras' torch backend trains on one device: its fit() does not "
            "synchronize gradients across processes, so each process would train "
            "its own GAN. For several devices use the TensorFlow backend "
            "(tf.distribute.MirroredStrategy, MultiWorkerMirroredStrategy) or JAX "
            "(keras.distribution.DataParallel); see the README's 'Several "
            f"devices'. Received: a torch.distributed world of size {world_size}"
        )


# The smallest float32 denormal, 2**-149, made from its bits: computing it would
# give 0 where denormals are being flushed.
_DENORMAL = np.frombuffer(np.uint32(1).tobytes(), dtype="float32")


@contextlib.contextmanager
def flush_denormals():
    """Flushes denormal floats to zero in this thread while the block runs.

    TensorFlow and XLA run their CPU kernels that way; torch keeps denormals,
    and x86 computes on them up to 100x slower. Adam's second moments of weights
    whose gradient is 0 (dead ReLU units; a critic's output bias under the
    penalty) decay through that range: after 700 steps of the WGAN-GP toy MLPs
    (4 x 512) 10% of the optimizers' values were denormal, and a step took 289
    ms on one core against 232 ms flushed. Flushed, the step also gives the
    numbers of the other backends. The mode is the processor's, per thread, so
    it is set around each step only: outside `fit`, numpy and Python keep
    denormals. torch's CPU worker threads take the mode of the thread that
    starts them, once, and keep it.
    """
    if _DENORMAL[0] * np.float32(1) == 0:  # already flushing
        yield
        return
    torch.set_flush_denormal(True)
    try:
        yield
    finally:
        torch.set_flush_denormal(False)


def bfloat16_slowdown():
    """None: PyTorch computes bfloat16 matmuls and convolutions in bfloat16."""
    return None


class WGANTrainer:
    """Runs the shared step eagerly, as Keras' torch trainer does."""

    def fit(self, *args, **kwargs):
        refuse_distribution()
        return super().fit(*args, **kwargs)

    def train_step(self, data):
        with flush_denormals():
            return self._wgan_train_step(data)

    def test_step(self, data):
        with torch.no_grad():
            return self._wgan_test_step(data)

    def optimizer_step(self, network, optimizer, loss_fn):
        """Updates `network` by `optimizer` on `loss_fn`, with autograd.

        `loss_fn(trainable_values)` returns `(loss, aux)`; this returns
        `(loss, aux, applied)` (`backend.updates.gradients_applied`).
        """
        variables = network.trainable_variables
        fn = scaled_loss(optimizer, loss_fn, replicas=1)
        (_, (loss, aux)), grads = value_and_grad(fn, [v.value for v in variables])
        applied = gradients_applied(optimizer, grads)
        with torch.no_grad():
            optimizer.apply(grads, variables)
        return loss, aux, applied
