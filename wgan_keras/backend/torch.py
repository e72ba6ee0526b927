"""PyTorch primitives: `torch.autograd.grad`, with `create_graph` for the penalty."""

import os

import torch
from keras.ops import convert_to_tensor


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


def apply_gradients(optimizer, grads, variables):
    with torch.no_grad():
        optimizer.apply(grads, variables)


def cond_update(pred, fn, variables):
    del variables
    if bool(pred):
        fn()


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


class WGANTrainer:
    """Runs the shared step eagerly, as Keras' torch trainer does."""

    def fit(self, *args, **kwargs):
        refuse_distribution()
        return super().fit(*args, **kwargs)

    def train_step(self, data):
        return self._wgan_train_step(data)

    def test_step(self, data):
        with torch.no_grad():
            return self._wgan_test_step(data)
