import numpy as np
import pytest
from keras import ops

from wgan_keras import backend as wgan_backend
from wgan_keras import losses


def to_numpy(x):
    return ops.convert_to_numpy(ops.stop_gradient(x))


def test_wasserstein_estimate_is_mean_real_minus_mean_fake():
    real = np.array([[1.0], [3.0]], "float32")
    fake = np.array([[-2.0], [0.0]], "float32")
    assert float(losses.wasserstein_estimate(real, fake)) == pytest.approx(3.0)
    assert float(losses.critic_wasserstein_loss(real, fake)) == pytest.approx(-3.0)
    assert float(losses.generator_wasserstein_loss(fake)) == pytest.approx(1.0)


def test_hinge_losses_match_their_definition():
    real = np.array([[2.0], [0.5]], "float32")  # relu(1 - .) = 0, 0.5
    fake = np.array([[-2.0], [0.25]], "float32")  # relu(1 + .) = 0, 1.25
    assert float(losses.critic_hinge_loss(real, fake)) == pytest.approx(0.25 + 0.625)
    assert float(losses.generator_hinge_loss(fake)) == pytest.approx(0.875)


def test_gradient_norm_is_per_sample_over_all_non_batch_axes():
    rng = np.random.default_rng(0)
    grads = rng.normal(size=(4, 3, 5, 2)).astype("float32")
    expected = np.sqrt((grads**2).reshape(4, -1).sum(axis=1))
    np.testing.assert_allclose(
        ops.convert_to_numpy(losses.gradient_norm(grads)), expected, rtol=1e-6
    )


def test_interpolate_uses_one_weight_per_sample():
    real = np.ones((2, 2, 2, 1), "float32")
    fake = np.zeros((2, 2, 2, 1), "float32")
    eps = np.array([0.25, 0.75], "float32").reshape(2, 1, 1, 1)
    out = ops.convert_to_numpy(losses.interpolate(real, fake, eps))
    np.testing.assert_allclose(out[0], 0.25)
    np.testing.assert_allclose(out[1], 0.75)


@pytest.mark.parametrize("norm", [0.2, 1.0, 3.5])
def test_linear_critic_penalty_matches_closed_form(norm):
    # f(x) = w . x has input gradient w at every point: penalty = (||w|| - 1)^2.
    rng = np.random.default_rng(1)
    w = rng.normal(size=(3, 4, 2)).astype("float32")
    w *= norm / np.linalg.norm(w)
    x = rng.normal(size=(6, 3, 4, 2)).astype("float32")

    w_tensor = ops.convert_to_tensor(w)

    def critic(inputs):
        return ops.sum(inputs * w_tensor, axis=(1, 2, 3))

    grads = wgan_backend.input_gradient(critic, ops.convert_to_tensor(x))
    np.testing.assert_allclose(to_numpy(grads), np.broadcast_to(w, x.shape), rtol=1e-6)
    penalty = float(to_numpy(losses.gradient_penalty(grads)))
    assert penalty == pytest.approx((norm - 1.0) ** 2, rel=1e-5, abs=1e-9)


def test_penalty_is_differentiable_with_respect_to_critic_weights():
    # Penalty of f(x) = w . x is (||w|| - 1)^2, whose gradient in w is
    # 2 (||w|| - 1) w / ||w||: the double backward must reproduce it.
    w0 = np.array([0.6, -1.2, 2.0], "float32")
    x = np.random.default_rng(2).normal(size=(5, 3)).astype("float32")

    def penalty(values):
        (w,) = values
        grads = wgan_backend.input_gradient(
            lambda inputs: ops.sum(inputs * w, 1), ops.convert_to_tensor(x)
        )
        return losses.gradient_penalty(grads), None

    (value, _), (grad,) = wgan_backend.value_and_grad(
        penalty, [ops.convert_to_tensor(w0)]
    )
    norm = np.linalg.norm(w0)
    assert float(to_numpy(value)) == pytest.approx((norm - 1) ** 2, rel=1e-5)
    np.testing.assert_allclose(to_numpy(grad), 2 * (norm - 1) * w0 / norm, rtol=1e-5)
