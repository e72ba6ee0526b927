"""`wk.layers.Conv2D` / `Conv2DTranspose` against Keras' layers, on every backend.

They must be Keras' layers computed another way: the same outputs, the same
gradients (first order, and the second order the gradient penalty takes), and
weights that load both ways.
"""

import keras
import numpy as np
import pytest
from keras import ops

import wgan_keras as wk
from tests.helpers import scale, to_numpy
from wgan_keras import backend as wgan_backend
from wgan_keras.backend.convolution import (
    same_padding,
    transposed_convolution,
    transposed_size,
)

# (input size, kernel, strides, padding): the DCGANs' layers and the edges.
CONFIGS = [
    ((28, 28), 5, (2, 2), "same"),
    ((14, 14), 5, (2, 2), "same"),
    ((7, 7), 5, (2, 2), "same"),  # odd: the 28x28 critic's last layer
    ((4, 4), 5, (2, 2), "same"),
    ((9, 6), 3, (2, 1), "same"),
    ((11, 11), 5, (3, 3), "same"),
    ((10, 10), 4, (2, 2), "same"),
    ((8, 8), 3, (1, 1), "same"),
    ((9, 9), 5, (2, 2), "valid"),
    ((8, 7), 2, (2, 2), "valid"),
]
LAYERS = [
    (wk.layers.Conv2D, keras.layers.Conv2D),
    (wk.layers.Conv2DTranspose, keras.layers.Conv2DTranspose),
]


def twin_layers(ours, theirs, size, kernel, strides, padding, channels=(3, 4)):
    """Our layer and Keras' with the same random weights, and an input."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, *size, channels[0])).astype("float32")
    layers = [
        cls(channels[1], kernel, strides=strides, padding=padding)
        for cls in (ours, theirs)
    ]
    for layer in layers:
        layer.build(x.shape)
    weights = [rng.normal(size=w.shape).astype("float32") for w in layers[1].weights]
    for layer in layers:
        layer.set_weights(weights)
    return layers, x


def input_and_weight_gradients(layer, x, cotangent):
    """d/d(x, kernel, bias) of sum(layer(x) * cotangent)."""

    def loss_fn(values):
        inputs, *weights = values
        y, _ = layer.stateless_call(weights, [], inputs)
        return ops.sum(y * cotangent), None

    values = [ops.convert_to_tensor(x)] + [w.value for w in layer.trainable_weights]
    _, grads = wgan_backend.value_and_grad(loss_fn, values)
    return [to_numpy(g) for g in grads]


def penalty_weight_gradients(layer, x):
    """d/d(kernel, bias) of the WGAN-GP penalty of the critic sum(layer(x)^2)."""

    def loss_fn(weights):
        def score_fn(inputs):
            y, _ = layer.stateless_call(weights, [], inputs)
            return ops.sum(ops.square(y), axis=(1, 2, 3))

        grad = wgan_backend.input_gradient(score_fn, ops.convert_to_tensor(x))
        norm = ops.sqrt(ops.sum(ops.square(grad), axis=(1, 2, 3)))
        return ops.mean(ops.square(norm - 1.0)), None

    _, grads = wgan_backend.value_and_grad(
        loss_fn, [w.value for w in layer.trainable_weights]
    )
    return [to_numpy(g) for g in grads]


@pytest.mark.parametrize("size,kernel,strides,padding", CONFIGS)
@pytest.mark.parametrize("ours,theirs", LAYERS, ids=["conv", "transpose"])
def test_outputs_equal_keras(ours, theirs, size, kernel, strides, padding):
    (fast, reference), x = twin_layers(ours, theirs, size, kernel, strides, padding)
    expected = to_numpy(reference(x))
    got = to_numpy(fast(x))
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5 * scale(expected))


@pytest.mark.parametrize("size,kernel,strides,padding", CONFIGS)
@pytest.mark.parametrize("ours,theirs", LAYERS, ids=["conv", "transpose"])
def test_gradients_equal_keras(ours, theirs, size, kernel, strides, padding):
    (fast, reference), x = twin_layers(ours, theirs, size, kernel, strides, padding)
    cotangent = np.random.default_rng(1).normal(size=reference(x).shape)
    cotangent = ops.convert_to_tensor(cotangent.astype("float32"))
    expected = input_and_weight_gradients(reference, x, cotangent)
    got = input_and_weight_gradients(fast, x, cotangent)
    for name, g, e in zip(["input", "kernel", "bias"], got, expected):
        assert g.shape == e.shape, name
        np.testing.assert_allclose(
            g, e, rtol=0, atol=1e-5 * scale(e), err_msg=f"d/d{name}"
        )


@pytest.mark.parametrize("size,kernel,strides,padding", CONFIGS[:4])
@pytest.mark.parametrize("ours,theirs", LAYERS, ids=["conv", "transpose"])
def test_penalty_gradients_equal_keras(ours, theirs, size, kernel, strides, padding):
    # The penalty differentiates the input gradient again (double backward).
    (fast, reference), x = twin_layers(ours, theirs, size, kernel, strides, padding)
    expected = penalty_weight_gradients(reference, x)
    got = penalty_weight_gradients(fast, x)
    for name, g, e in zip(["kernel", "bias"], got, expected):
        np.testing.assert_allclose(
            g, e, rtol=0, atol=1e-4 * scale(e), err_msg=f"d/d{name}"
        )


@pytest.mark.parametrize("size,kernel,strides,padding", CONFIGS)
def test_transposed_convolution_is_keras_conv_transpose(size, kernel, strides, padding):
    # Keras' transposed kernel (h, w, filters, in) is the kernel of the
    # convolution from `filters` to `in` channels that it transposes.
    rng = np.random.default_rng(2)
    y = rng.normal(size=(2, *size, 3)).astype("float32")
    weights = rng.normal(size=(kernel, kernel, 4, 3)).astype("float32")
    expected = to_numpy(
        ops.conv_transpose(y, weights, strides=strides, padding=padding)
    )
    got = to_numpy(
        transposed_convolution(
            ops.convert_to_tensor(y),
            ops.convert_to_tensor(weights),
            strides,
            padding,
            expected.shape[1:3],
        )
    )
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5 * scale(expected))


def test_same_padding_is_tensorflows():
    # 28 -> 14 with a 5-tap kernel, stride 2: 3 zeros, the odd one after.
    assert same_padding(28, 5, 2) == (1, 2)
    assert same_padding(7, 5, 2) == (2, 2)
    assert same_padding(8, 3, 1) == (1, 1)
    assert same_padding(4, 1, 2) == (0, 0)


@pytest.mark.parametrize("size,kernel,strides,padding", CONFIGS)
def test_transposed_size_is_keras_output_size(size, kernel, strides, padding):
    layer = keras.layers.Conv2DTranspose(4, kernel, strides=strides, padding=padding)
    expected = layer.compute_output_shape((2, *size, 3))[1:3]
    got = tuple(transposed_size(n, kernel, s, padding) for n, s in zip(size, strides))
    assert got == tuple(expected)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dilation_rate": 2},
        {"data_format": "channels_first"},
        {"strides": 3, "kernel_size": 2},
    ],
    ids=["dilated", "channels_first", "kernel_under_stride"],
)
def test_other_configurations_run_keras_own_op(kwargs):
    kwargs = {"filters": 4, "kernel_size": 3, "padding": "same", **kwargs}
    if keras.config.backend() == "tensorflow" and "data_format" in kwargs:
        pytest.skip("TensorFlow's CPU convolutions take channels last only.")
    (fast, reference), x = twin_layers(
        lambda *a, **k: wk.layers.Conv2D(**{**kwargs, **k}),
        lambda *a, **k: keras.layers.Conv2D(**{**kwargs, **k}),
        (9, 9),
        kwargs["kernel_size"],
        kwargs.get("strides", 1),
        "same",
    )
    np.testing.assert_array_equal(to_numpy(fast(x)), to_numpy(reference(x)))


def test_weights_load_both_ways_with_keras_layers(tmp_path):
    def model(conv, transpose):
        inputs = keras.Input((14, 14, 3))
        x = conv(8, 5, strides=2, padding="same")(inputs)
        x = transpose(3, 5, strides=2, padding="same")(x)
        return keras.Model(inputs, x)

    x = np.random.default_rng(3).normal(size=(2, 14, 14, 3)).astype("float32")
    theirs = model(keras.layers.Conv2D, keras.layers.Conv2DTranspose)
    ours = model(wk.layers.Conv2D, wk.layers.Conv2DTranspose)
    theirs.save_weights(tmp_path / "keras.weights.h5")
    ours.load_weights(tmp_path / "keras.weights.h5")
    expected = to_numpy(theirs(x))
    np.testing.assert_allclose(
        to_numpy(ours(x)), expected, rtol=0, atol=1e-5 * scale(expected)
    )
    ours.save_weights(tmp_path / "ours.weights.h5")
    again = model(keras.layers.Conv2D, keras.layers.Conv2DTranspose)
    again.load_weights(tmp_path / "ours.weights.h5")
    np.testing.assert_array_equal(to_numpy(again(x)), expected)
