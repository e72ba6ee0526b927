"""`wk.layers.BatchNormalization` against Keras' layer, on every backend.

It must be Keras' layer computed another way: in training mode the same
outputs, gradients and moving statistics; everywhere else Keras' own call.
"""

import keras
import numpy as np
import pytest
from keras import ops

import wgan_keras as wk
from tests.helpers import scale, to_numpy
from wgan_keras import backend as wgan_backend

# The DCGANs' batch norms: after the generator's projection (rank 2) and
# after convolutions (rank 4); rank 3 for sequences.
SHAPES = [(64, 4096), (16, 7, 7, 128), (8, 14, 14, 64), (4, 5, 3)]


def twin_layers(shape, seed=0, **kwargs):
    """Our layer and Keras' with the same random weights, and an input."""
    rng = np.random.default_rng(seed)
    # Far from zero mean and unit variance, so that normalizing matters.
    x = rng.normal(1.5, 3.0, size=shape).astype("float32")
    layers = [
        cls(**kwargs)
        for cls in (wk.layers.BatchNormalization, keras.layers.BatchNormalization)
    ]
    for layer in layers:
        layer.build(shape)
    weights = [
        rng.uniform(0.5, 2.0, size=w.shape).astype("float32") for w in layers[1].weights
    ]
    for layer in layers:
        layer.set_weights(weights)
    return layers, x


def training_gradients(layer, x, cotangent):
    """Moving statistics and d/d(x, gamma, beta) of sum(layer(x) * cotangent)."""
    non_trainable = [v.value for v in layer.non_trainable_weights]

    def loss_fn(values):
        inputs, *weights = values
        y, moving = layer.stateless_call(weights, non_trainable, inputs, training=True)
        return ops.sum(y * cotangent), moving

    values = [ops.convert_to_tensor(x)] + [w.value for w in layer.trainable_weights]
    (_, moving), grads = wgan_backend.value_and_grad(loss_fn, values)
    return [to_numpy(m) for m in moving], [to_numpy(g) for g in grads]


@pytest.mark.parametrize("shape", SHAPES)
def test_training_outputs_and_moving_statistics_equal_keras(shape):
    (fast, reference), x = twin_layers(shape, momentum=0.9)
    initial_mean, initial_variance = [to_numpy(w) for w in fast.non_trainable_weights]
    expected = to_numpy(reference(x, training=True))
    got = to_numpy(fast(x, training=True))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5 * scale(expected))
    # Outputs are standardized per channel, then scaled and shifted.
    gamma, beta = to_numpy(fast.gamma), to_numpy(fast.beta)
    standardized = (got - beta) / gamma
    axes = tuple(range(len(shape) - 1))
    np.testing.assert_allclose(standardized.mean(axes), 0, atol=1e-4)
    np.testing.assert_allclose(standardized.var(axes), 1, atol=1e-3)
    for ours, theirs in zip(
        fast.non_trainable_weights, reference.non_trainable_weights
    ):
        e = to_numpy(theirs)
        np.testing.assert_allclose(
            to_numpy(ours), e, rtol=0, atol=1e-5 * scale(e), err_msg=ours.name
        )
    # The moving averages moved 10% of the way to the batch's (biased) moments.
    moving_mean, moving_variance = [to_numpy(w) for w in fast.non_trainable_weights]
    mean, variance = x.mean(axes), x.var(axes)
    np.testing.assert_allclose(moving_mean, 0.9 * initial_mean + 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(
        moving_variance, 0.9 * initial_variance + 0.1 * variance, rtol=1e-5
    )


def random_cotangent(shape, seed):
    """A standard-normal tensor of `shape` to weight the layer's outputs."""
    return ops.convert_to_tensor(
        np.random.default_rng(seed).normal(size=shape).astype("float32")
    )


def assert_gradients_equal(names, got, expected):
    """Each gradient has the reference's shape and values, to 1e-4 of its scale."""
    assert len(got) == len(expected) == len(names)
    for name, g, e in zip(names, got, expected):
        assert g.shape == e.shape, name
        np.testing.assert_allclose(
            g, e, rtol=0, atol=1e-4 * scale(e), err_msg=f"d/d{name}"
        )


@pytest.mark.parametrize("shape", SHAPES)
def test_training_gradients_equal_keras(shape):
    (fast, reference), x = twin_layers(shape)
    cotangent = random_cotangent(shape, seed=1)
    expected_moving, expected = training_gradients(reference, x, cotangent)
    got_moving, got = training_gradients(fast, x, cotangent)
    assert_gradients_equal(["input", "gamma", "beta"], got, expected)
    for g, e in zip(got_moving, expected_moving):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-5 * scale(e))


def penalty_gradients(layer, x, cotangent):
    """d/d(gamma, beta) of a gradient penalty through `layer` in training mode.

    The penalty is `sum(d sum(sin(layer(x)) * cotangent) / dx ** 2)`: a second
    derivative, as WGAN-GP takes of a critic (here one with batch norm).
    """
    non_trainable = [v.value for v in layer.non_trainable_weights]

    def loss_fn(weights):
        def score_fn(inputs):
            y, _ = layer.stateless_call(weights, non_trainable, inputs, training=True)
            return ops.sin(y) * cotangent

        grad = wgan_backend.input_gradient(score_fn, ops.convert_to_tensor(x))
        return ops.sum(ops.square(grad)), None

    (penalty, _), grads = wgan_backend.value_and_grad(
        loss_fn, [w.value for w in layer.trainable_weights]
    )
    return float(to_numpy(penalty)), [to_numpy(g) for g in grads]


@pytest.mark.parametrize("shape", [(16, 6), (8, 3, 3, 4)])
def test_penalty_gradients_through_batch_norm_equal_keras(shape):
    (fast, reference), x = twin_layers(shape)
    cotangent = random_cotangent(shape, seed=4)
    expected_penalty, expected = penalty_gradients(reference, x, cotangent)
    got_penalty, got = penalty_gradients(fast, x, cotangent)
    assert expected_penalty > 0
    np.testing.assert_allclose(got_penalty, expected_penalty, rtol=1e-5)
    assert_gradients_equal(["gamma", "beta"], got, expected)


def test_normalized_input_gradient_is_orthogonal_to_the_batch_moments():
    # Closed form: y = (x - mean) / std is invariant to shifting and scaling
    # x per channel, so d sum(y * c) / dx sums to 0 and is orthogonal to y
    # (exactly so without epsilon, which breaks the scale invariance).
    shape = (32, 6)
    (fast, _), x = twin_layers(shape, center=False, scale=False, epsilon=1e-9)
    _, (grad,) = training_gradients(fast, x, random_cotangent(shape, seed=2))
    y = (x - x.mean(0)) / np.sqrt(x.var(0) + fast.epsilon)
    np.testing.assert_allclose(grad.sum(0), 0, atol=1e-5 * scale(grad))
    np.testing.assert_allclose((grad * y).sum(0), 0, atol=1e-4 * scale(grad))


@pytest.mark.parametrize(
    "call_kwargs,layer_kwargs",
    [
        ({"training": False}, {}),
        ({"training": True}, {"axis": 1}),
        ({"training": True}, {"renorm": True}),
        ({"training": True, "mask": np.array([[1, 1, 0, 1, 0]] * 4, bool)}, {}),
    ],
    ids=["inference", "axis_1", "renorm", "mask"],
)
def test_other_calls_run_keras_own_layer(call_kwargs, layer_kwargs, monkeypatch):
    calls = count_primitive_calls(monkeypatch)
    (fast, reference), x = twin_layers((4, 5, 3), **layer_kwargs)
    np.testing.assert_array_equal(
        to_numpy(fast(x, **call_kwargs)), to_numpy(reference(x, **call_kwargs))
    )
    for ours, theirs in zip(
        fast.non_trainable_weights, reference.non_trainable_weights
    ):
        np.testing.assert_array_equal(to_numpy(ours), to_numpy(theirs))
    assert calls == []


def count_primitive_calls(monkeypatch):
    """Records each call of the backend's batch-norm primitive by the layer."""
    calls = []
    primitive = wgan_backend.batch_normalization

    def counted(*args):
        calls.append(args)
        return primitive(*args)

    monkeypatch.setattr(wgan_backend, "batch_normalization", counted)
    return calls


def test_training_call_runs_the_backend_primitive(monkeypatch):
    # The layer's point: training goes through the (on PyTorch fused)
    # primitive once per call, with the layer's own gamma, beta and epsilon.
    calls = count_primitive_calls(monkeypatch)
    (fast, _), x = twin_layers((8, 3, 3, 4), epsilon=0.01)
    fast(x, training=True)
    assert len(calls) == 1
    inputs, scale_, offset, epsilon = calls[0]
    assert tuple(inputs.shape) == x.shape
    np.testing.assert_array_equal(to_numpy(scale_), to_numpy(fast.gamma))
    np.testing.assert_array_equal(to_numpy(offset), to_numpy(fast.beta))
    assert epsilon == 0.01


def test_weights_and_saved_models_load_both_ways(tmp_path):
    def model(bn):
        inputs = keras.Input((7, 7, 8))
        return keras.Model(inputs, bn(momentum=0.5)(inputs))

    x = np.random.default_rng(3).normal(2, 3, size=(4, 7, 7, 8)).astype("float32")
    theirs, ours = (
        model(keras.layers.BatchNormalization),
        model(wk.layers.BatchNormalization),
    )
    theirs(x, training=True)  # moving statistics away from their start
    theirs.save_weights(tmp_path / "keras.weights.h5")
    ours.load_weights(tmp_path / "keras.weights.h5")
    expected = to_numpy(theirs(x))
    np.testing.assert_array_equal(to_numpy(ours(x)), expected)
    ours.save(tmp_path / "ours.keras")
    loaded = keras.saving.load_model(tmp_path / "ours.keras")
    assert isinstance(loaded.layers[-1], wk.layers.BatchNormalization)
    np.testing.assert_array_equal(to_numpy(loaded(x)), expected)
    again = model(keras.layers.BatchNormalization)
    again.load_weights(tmp_path / "keras.weights.h5")
    ours.save_weights(tmp_path / "ours.weights.h5")
    again.load_weights(tmp_path / "ours.weights.h5")
    np.testing.assert_array_equal(to_numpy(again(x)), expected)
