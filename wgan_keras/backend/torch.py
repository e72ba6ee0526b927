"""PyTorch primitives: `torch.autograd.grad`, with `create_graph` for the penalty."""

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


class WGANTrainer:
    """Runs the shared step eagerly, as Keras' torch trainer does."""

    def train_step(self, data):
        return self._wgan_train_step(data)

    def test_step(self, data):
        with torch.no_grad():
            return self._wgan_test_step(data)
