import keras
import numpy as np
import pytest
from keras import ops

import wgan_keras as wk
from wgan_keras import backend as wgan_backend


def to_numpy(x):
    return ops.convert_to_numpy(ops.stop_gradient(x))


def dense_sn(units=3, inputs=4, power_iterations=1):
    layer = wk.layers.SpectralNormalization(
        keras.layers.Dense(units), power_iterations=power_iterations
    )
    layer.build((None, inputs))
    return layer


def singular_values(kernel):
    kernel = np.asarray(kernel)
    return np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)


def set_kernel_spectrum(layer, spectrum, seed=0):
    """Gives `layer.layer.kernel` the singular values `spectrum` (2-D reshape).

    The power iteration's error shrinks as `(s2 / s1) ** (2 * steps)`: a random
    kernel's top two singular values can lie arbitrarily close, so tests of
    convergence fix the gap.
    """
    shape = tuple(layer.layer.kernel.shape)
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    rng = np.random.default_rng(seed)
    left, _ = np.linalg.qr(rng.normal(size=(rows, cols)))
    right, _ = np.linalg.qr(rng.normal(size=(cols, cols)))
    kernel = left @ np.diag(spectrum) @ right.T
    layer.layer.kernel.assign(kernel.reshape(shape).astype("float32"))


def power_iteration_sigma(kernel, u, steps):
    """Algorithm 1 of Miyato et al. in float64, from `u`, for `steps` steps."""
    w = np.asarray(kernel, "float64").reshape(-1, kernel.shape[-1])
    u = np.asarray(u, "float64")
    v = u @ w.T / np.linalg.norm(u @ w.T)
    for _ in range(steps):
        u = v @ w / np.linalg.norm(v @ w)
        v = u @ w.T / np.linalg.norm(u @ w.T)
    return float((v @ w @ u.T).ravel()[0])


def test_call_never_writes_the_kernel():
    layer = dense_sn()
    kernel = to_numpy(layer.layer.kernel)
    layer(np.ones((2, 4), "float32"), training=True)
    layer(np.ones((2, 4), "float32"), training=False)
    np.testing.assert_array_equal(to_numpy(layer.layer.kernel), kernel)


def test_u_is_updated_in_training_only():
    layer = dense_sn()
    u0 = to_numpy(layer.u)
    layer(np.ones((2, 4), "float32"), training=False)
    np.testing.assert_array_equal(to_numpy(layer.u), u0)
    layer(np.ones((2, 4), "float32"), training=True)
    assert not np.allclose(to_numpy(layer.u), u0)
    assert [v.name for v in layer.non_trainable_variables] == ["u"]


def test_inference_divides_by_sigma_from_the_stored_u():
    layer = dense_sn(units=5, inputs=6)
    w = to_numpy(layer.layer.kernel)
    sigma = power_iteration_sigma(w, to_numpy(layer.u), steps=0)
    x = np.random.default_rng(0).normal(size=(3, 6)).astype("float32")
    expected = x @ (w / sigma) + to_numpy(layer.layer.bias)
    np.testing.assert_allclose(to_numpy(layer(x, training=False)), expected, rtol=1e-5)


def test_power_iteration_converges_to_the_top_singular_value():
    layer = dense_sn(units=8, inputs=16, power_iterations=50)
    spectrum = [3.0, 1.5, 1.0, 0.8, 0.5, 0.4, 0.2, 0.1]
    set_kernel_spectrum(layer, spectrum)
    layer(np.ones((1, 16), "float32"), training=True)
    kernel, _ = layer.normalized_kernel(training=False)
    np.testing.assert_allclose(
        singular_values(to_numpy(kernel)), np.divide(spectrum, 3.0), rtol=1e-5
    )


def test_gradient_flows_through_sigma():
    # y = x W / sigma(W), sigma = v W u^T with u, v held constant. For the loss
    # L = sum(y * g): dL/dW = x^T g / sigma - <x^T g, W> / sigma^2 * v^T u.
    layer = dense_sn(units=3, inputs=4)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 4)).astype("float32")
    g = rng.normal(size=(5, 3)).astype("float32")
    w = to_numpy(layer.layer.kernel)
    u = to_numpy(layer.u)
    v = u @ w.T
    v /= np.linalg.norm(v)
    sigma = float((v @ w @ u.T).ravel()[0])
    xg = x.T @ g
    expected = xg / sigma - np.sum(xg * w) / sigma**2 * (v.T @ u)

    trainable = layer.trainable_variables
    kernel_index = [id(t) for t in trainable].index(id(layer.layer.kernel))

    def loss_fn(values):
        y, _ = layer.stateless_call(
            values, [layer.u.value], ops.convert_to_tensor(x), training=False
        )
        return ops.sum(y * ops.convert_to_tensor(g)), None

    _, grads = wgan_backend.value_and_grad(loss_fn, [t.value for t in trainable])
    np.testing.assert_allclose(to_numpy(grads[kernel_index]), expected, rtol=1e-4)


def test_conv_kernel_is_normalized_on_its_2d_reshape():
    layer = wk.layers.SpectralNormalization(keras.layers.Conv2D(6, 3), 30)
    layer.build((None, 8, 8, 2))
    set_kernel_spectrum(layer, [2.0, 1.0, 0.7, 0.5, 0.3, 0.1])
    layer(np.ones((1, 8, 8, 2), "float32"), training=True)
    kernel, _ = layer.normalized_kernel(training=False)
    assert singular_values(to_numpy(kernel))[0] == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("steps", [1, 3])
def test_training_call_replays_the_power_iteration(steps):
    # A random kernel (no fixed gap): sigma after `steps` steps from the stored
    # `u` equals the float64 replay of Algorithm 1, converged or not.
    layer = wk.layers.SpectralNormalization(keras.layers.Conv2D(6, 3), steps)
    layer.build((None, 8, 8, 2))
    w = to_numpy(layer.layer.kernel)
    sigma = power_iteration_sigma(w, to_numpy(layer.u), steps)
    layer(np.ones((1, 8, 8, 2), "float32"), training=True)
    kernel, _ = layer.normalized_kernel(training=False)
    np.testing.assert_allclose(to_numpy(kernel), w / sigma, rtol=1e-5)


def test_critic_can_be_called_twice_in_training():
    critic = wk.networks.MLPCritic(input_shape=(2,), hidden_dim=8, spectral_norm=True)
    x = np.ones((3, 2), "float32")
    a = to_numpy(critic(x, training=True))
    b = to_numpy(critic(x, training=True))
    assert a.shape == b.shape == (3, 1)


def test_layer_without_kernel_is_refused():
    layer = wk.layers.SpectralNormalization(keras.layers.ReLU())
    with pytest.raises(ValueError, match="needs a layer with a `kernel`"):
        layer.build((None, 3))


def test_power_iterations_must_be_positive():
    with pytest.raises(ValueError, match="Received: power_iterations=0"):
        wk.layers.SpectralNormalization(keras.layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="Received: power_iterations=True"):
        wk.layers.SpectralNormalization(keras.layers.Dense(2), power_iterations=True)


def test_serialization_round_trip_keeps_outputs(tmp_path):
    critic = wk.networks.DCGANCritic(image_shape=(8, 8, 1), dim=4, spectral_norm=True)
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 1)).astype("float32")
    critic(x, training=True)  # moves u away from its initial value
    path = str(tmp_path / "critic.keras")
    critic.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(
        to_numpy(loaded(x, training=False)), to_numpy(critic(x, training=False)), 1e-5
    )


def test_converge_singular_vector_finds_sigma_and_leaves_weights_alone():
    layer = dense_sn(units=16, inputs=16)
    # Close top singular values (ratio 0.98): one power iteration per call lags.
    singular = np.linspace(1.0, 0.2, 16)
    singular[1] = 0.98
    set_kernel_spectrum(layer, singular)
    kernel = to_numpy(layer.layer.kernel)
    iterations = layer.converge_singular_vector()
    assert 1 < iterations < 1000
    np.testing.assert_array_equal(to_numpy(layer.layer.kernel), kernel)
    normalized, _ = layer.normalized_kernel(training=False)
    assert singular_values(to_numpy(normalized))[0] == pytest.approx(1.0, abs=1e-4)
