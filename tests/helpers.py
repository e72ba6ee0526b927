"""Small networks and data shared by the model tests."""

import keras
import numpy as np
from keras import ops

import wgan_keras as wk


class ListBatches(keras.utils.PyDataset):
    """A `PyDataset` of given batches, in order."""

    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def __len__(self):
        return len(self.batches)

    def __getitem__(self, index):
        return self.batches[index]


def to_numpy(x):
    return ops.convert_to_numpy(ops.stop_gradient(x))


def scale(reference):
    """The largest magnitude in `reference`: what tolerances are relative to."""
    return np.abs(reference).max()


def linear(inputs, units, kernel=None, bias=None, name=None):
    """A one-layer functional model, optionally with given weights."""
    x = keras.Input((inputs,))
    dense = keras.layers.Dense(units, name=name)
    model = keras.Model(x, dense(x), name=name)
    if kernel is not None:
        dense.kernel.assign(kernel)
    if bias is not None:
        dense.bias.assign(bias)
    return model


def tiny_toy_gan(cls=wk.WGANGP, critic_kwargs=None, **kwargs):
    g = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,), hidden_dim=16)
    c = wk.networks.MLPCritic(input_shape=(2,), hidden_dim=16, **(critic_kwargs or {}))
    return cls(g, c, **kwargs)


def toy_data(n, seed=0):
    return wk.datasets.gaussian_mixture_2d(n, seed=seed)


def weights(model):
    return [to_numpy(v) for v in model.weights]
