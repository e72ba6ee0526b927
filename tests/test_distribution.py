"""Several devices and mixed precision: the distributed step is the one-device step.

The two-device runs happen in `distributed_child.py` (devices must be set up
before the backend starts): TensorFlow on two logical CPUs under
`MirroredStrategy` and on two local worker processes under
`MultiWorkerMirroredStrategy`, JAX on two host devices under
`keras.distribution`. After
three generator steps (15 critic steps) with the same global batch of 64, seeds
and SGD, every weight matches the one-device run to 1e-6 (float32 rounding:
the sum of two half-batch means is not bit-equal to one mean; clipped critics
2e-5, see TOLERANCE), while training itself moved the weights by far more.
"""

import json
import os
import socket
import subprocess
import sys

import keras
import numpy as np
import pytest

import wgan_keras as wk
from tests.helpers import linear, tiny_toy_gan, toy_data, weights
from wgan_keras import backend as wk_backend

BACKEND = keras.config.backend()
CHILD = os.path.join(os.path.dirname(__file__), "distributed_child.py")
MULTI_DEVICE = pytest.mark.skipif(
    BACKEND == "torch", reason="Keras' torch backend does not distribute"
)


def child_env(**extra):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND=BACKEND, **extra)
    root = os.path.dirname(os.path.dirname(CHILD))
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    return env


def run_children(*specs):
    """Runs the cases in one child process; returns their results in order."""
    done = subprocess.run(
        [sys.executable, CHILD, json.dumps(specs)],
        capture_output=True,
        text=True,
        env=child_env(),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child(**spec):
    (result,) = run_children(spec)
    return result


# Clipped critics are the exception: their pre-activations are ~1e-4, where a
# reordered float32 sum flips some ReLUs; their biases (~6e-4) then differ by
# 1e-5 to 3e-5 on JAX, depending on the data order, while every other weight
# matches to 1e-6.
TOLERANCE = 1e-6
CLIPPED_BIAS_TOLERANCE = 5e-5


def assert_weights_match(result, method):
    # The child marks the critic's weights' paths with "critic/".
    for path, difference in result["weight_differences"].items():
        clipped_bias = (
            method == "clip" and path.startswith("critic/") and path.endswith("bias")
        )
        limit = CLIPPED_BIAS_TOLERANCE if clipped_bias else TOLERANCE
        assert difference < limit, f"{method}: {path}"


@MULTI_DEVICE
@pytest.mark.slow
def test_two_devices_match_one_device():
    methods = ("gp", "clip", "sn")
    specs = [{"case": "match", "method": m, "ema_decay": 0.9} for m in methods]
    # A conditional GAN: each replica's share of the labels, and of the
    # labels its generator updates draw.
    specs.append({"case": "match", "method": "gp", "conditional": True})
    results = run_children(*specs)
    for method, result in zip((*methods, "gp"), results):
        assert_weights_match(result, method)
        # Training moved the weights far more than the tolerances allow.
        moved = {"gp": 1e-5, "sn": 1e-5, "clip": 2e-4}[method]
        assert result["weights_moved"] > moved, method
        # The logs are critic scores: a clipped critic's move with its biases.
        atol = CLIPPED_BIAS_TOLERANCE if method == "clip" else 1e-7
        for name, value in result["one_device"].items():
            np.testing.assert_allclose(
                result["two_devices"][name],
                value,
                rtol=1e-5,
                atol=atol,
                err_msg=f"{method}: {name}",
            )


@pytest.mark.skipif(BACKEND != "jax", reason="keras.distribution layouts: JAX")
@pytest.mark.slow
def test_jax_model_parallel_layout_and_original_schedule_match_one_device():
    # The README's layout: hidden kernels split over a "model" axis.
    model, original = run_children(
        {"case": "match", "method": "gp", "layout": "model"},
        {
            "case": "match",
            "method": "clip",
            "schedule": "original",
            "samples": 64 * 5 * 6,
        },
    )
    assert model["max_weight_difference"] < TOLERANCE
    assert_weights_match(original, "clip")


def free_port():
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(BACKEND != "tensorflow", reason="tf.distribute workers")
@pytest.mark.slow
def test_two_workers_match_one_device():
    # MultiWorkerMirroredStrategy: two processes on localhost, one CPU each.
    spec = {"case": "weights", "method": "gp", "ema_decay": 0.9}
    one = run_child(**spec)
    workers = [f"localhost:{free_port()}" for _ in range(2)]
    children = []
    for index in range(2):
        config = {
            "cluster": {"worker": workers},
            "task": {"type": "worker", "index": index},
        }
        env = child_env(TF_CONFIG=json.dumps(config))
        children.append(
            subprocess.Popen(
                [sys.executable, CHILD, json.dumps([spec])],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    results = []
    for child in children:
        stdout, stderr = child.communicate(timeout=600)
        assert child.returncode == 0, stderr[-3000:]
        results.append(json.loads(stdout.strip().splitlines()[-1])[0])
    for result in results:
        np.testing.assert_allclose(result["weights"], one["weights"], rtol=0, atol=1e-6)
        for name, value in one["history"].items():
            np.testing.assert_allclose(result["history"][name], value, rtol=1e-5)
    np.testing.assert_array_equal(results[0]["weights"], results[1]["weights"])


@MULTI_DEVICE
def test_replicas_draw_their_own_rows_of_the_global_noise():
    # TensorFlow: each replica's draw in a step. JAX: the shards of the noise
    # a step draws, split over the devices like the data.
    result = run_child(case="noise", method="gp")
    first, second = (np.array(r) for r in result["replicas"])
    assert np.abs(first - second).min() > 0  # different noise on each replica
    # Together they are exactly the noise one device draws for the global batch.
    np.testing.assert_array_equal(
        np.concatenate([first, second]), np.array(result["one_device"])
    )


@pytest.mark.skipif(BACKEND != "tensorflow", reason="tf.cond under tf.distribute")
def test_conditional_updates_are_refused_under_tf_distribute():
    result = run_child(case="error", method="clip", schedule="original")
    assert result["error"].startswith("ValueError: A conditional update cannot run")
    assert "critic_schedule='original'" in result["error"]


@MULTI_DEVICE
def test_batch_not_divisible_by_replicas_is_refused():
    result = run_child(case="error", method="gp", batch_size=63)
    assert result["error"] == (
        "ValueError: `batch_size` must be divisible by the number of replicas "
        "(2), so that each gets an equal share of every critic batch. "
        "Received: batch_size=63"
    )


@pytest.mark.skipif(BACKEND != "torch", reason="the torch backend's refusal")
@pytest.mark.parametrize("world_size", ["2", "8"])
def test_torch_refuses_a_multi_process_world(monkeypatch, world_size):
    monkeypatch.setenv("WORLD_SIZE", world_size)
    gan = tiny_toy_gan(seed=0)
    gan.compile()
    before = weights(gan)
    with pytest.raises(RuntimeError, match=f"world of size {world_size}$"):
        gan.fit(toy_data(640), batch_size=64, epochs=1, verbose=0)
    for a, b in zip(before, weights(gan)):
        np.testing.assert_array_equal(a, b)
    monkeypatch.setenv("WORLD_SIZE", "1")  # one process is fine
    gan.fit(toy_data(640), batch_size=64, epochs=1, verbose=0)


# ----------------------------------------------------------- mixed precision


@pytest.fixture
def policy(request):
    keras.config.set_dtype_policy(request.param)
    yield request.param
    keras.config.set_dtype_policy("float32")


@pytest.mark.slow
@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"], indirect=True)
@pytest.mark.parametrize("cls", [wk.WGANGP, wk.WGAN, wk.SNWGAN])
def test_mixed_precision_trains_300_steps_without_nan(policy, cls):
    keras.utils.set_random_seed(0)
    critic_kwargs = {"spectral_norm": True} if cls is wk.SNWGAN else None
    gan = tiny_toy_gan(cls, critic_kwargs=critic_kwargs, seed=0, ema_decay=0.99)
    gan.compile()
    assert gan.critic.compute_dtype == policy.split("_")[1]
    assert all(w.dtype == "float32" for w in gan.trainable_weights)
    scaled = isinstance(gan.critic_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (policy == "mixed_float16")
    history = gan.fit(toy_data(64 * 5 * 300), batch_size=64, epochs=1, verbose=0)
    for name, values in history.history.items():
        assert np.isfinite(values).all(), name
    for value in weights(gan):
        assert np.isfinite(value).all()
    samples = gan.generate(256, seed=0)
    assert samples.dtype == np.float32 and np.isfinite(samples).all()


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"], indirect=True)
def test_critic_scores_and_held_out_estimate_stay_float32(policy):
    # A critic's scores drift far from 0 while the estimate is their
    # difference: at 1,000, bfloat16 rounds each score to a multiple of 4.
    compute = policy.split("_")[1]
    shape, labels = (8, 8, 1), np.arange(4) % 3
    images = np.random.default_rng(0).uniform(-1, 1, (4, *shape)).astype("float32")
    critics = [
        (wk.networks.DCGANCritic(shape, dim=4), images),
        (wk.networks.DCGANCritic(shape, dim=4, spectral_norm=True), images),
        (wk.networks.DCGANCritic(shape, dim=4, num_classes=3), [images, labels]),
        (
            wk.networks.DCGANCritic(
                shape, dim=4, num_classes=3, conditioning="auxiliary"
            ),
            images,
        ),
        (
            wk.networks.ResNetCritic((16, 16, 1), channels=4, num_classes=3),
            [np.zeros((4, 16, 16, 1), "float32"), labels],
        ),
        (wk.networks.MLPCritic(shape, spectral_norm=True), images),
    ]
    for critic, inputs in critics:
        outputs = critic(inputs)
        for output in outputs if isinstance(outputs, list) else [outputs]:
            assert keras.backend.standardize_dtype(output.dtype) == "float32"
        first = next(layer for layer in critic.layers if layer.weights)
        assert first.compute_dtype == compute  # the hidden layers: 16 bits

    generator = wk.networks.DCGANGenerator(8, shape, dim=4)
    critic = wk.networks.DCGANCritic(shape, dim=4)
    critic.get_layer("score").bias.assign(np.full(1, 1000.0, "float32"))
    gan = wk.WGANGP(generator, critic, latent_dim=8, critic_steps=1)
    gan.compile(
        critic_optimizer=keras.optimizers.SGD(0.0),
        generator_optimizer=keras.optimizers.SGD(0.0),
    )
    held_out = np.random.default_rng(1).uniform(-1, 1, (256, *shape)).astype("float32")
    logger = wk.callbacks.WassersteinLogger(validation_data=held_out, seed=2)
    history = gan.fit(held_out, batch_size=64, epochs=1, callbacks=[logger], verbose=0)
    z = np.random.default_rng(2).standard_normal((256, 8)).astype("float32")
    real = keras.ops.convert_to_numpy(critic(held_out)).astype("float64")
    fake = keras.ops.convert_to_numpy(critic(generator(z))).astype("float64")
    assert real.mean() > 990  # the offset survives: the scores are float32
    expected = real.mean() - fake.mean()
    estimate = history.history["dev_wasserstein_estimate"][0]
    np.testing.assert_allclose(estimate, expected, atol=1e-3)


@pytest.mark.parametrize("policy", ["mixed_bfloat16"], indirect=True)
def test_compile_warns_where_bfloat16_computes_in_float32(policy, recwarn):
    # XLA:CPU upcasts bfloat16 dots and convolutions; TensorFlow and PyTorch
    # compute them in bfloat16.
    del policy
    gan = tiny_toy_gan()
    gan.compile()
    messages = [str(w.message) for w in recwarn]
    upcast = keras.config.backend() == "jax" and wk_backend.bfloat16_slowdown()
    warned = any("XLA:CPU computes bfloat16 dots" in m for m in messages)
    assert warned == bool(upcast)
    if keras.config.backend() == "jax":
        import jax

        assert bool(upcast) == (jax.default_backend() == "cpu")


def linear_critic_gan(critic_optimizer):
    """WGAN-GP with a linear critic of kernel (1.2, 1.6): ||w|| = 2."""
    critic = linear(2, 1, kernel=np.array([[1.2], [1.6]]), bias=np.zeros(1))
    gan = wk.WGANGP(linear(2, 2), critic, critic_steps=1, seed=0)
    gan.compile(critic_optimizer=critic_optimizer)
    return gan


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_penalty_is_exact_under_loss_scaling(policy):
    # A linear critic's input gradient is its kernel: ||w|| = 2 gives a penalty
    # of exactly 1. The input gradient runs through float16 times the loss
    # scale and is unscaled in float32, so only float16 rounding of w (1e-3)
    # remains. With lambda = 10 the penalty's own gradient overflows at the
    # initial 2^15: loss scaling skips those steps (unrecorded) and lowers the
    # scale until the steps go through. A learning rate of 0 keeps w fixed.
    del policy
    critic_optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(0.0))
    gan = linear_critic_gan(critic_optimizer)
    history = gan.fit(toy_data(64 * 16), batch_size=64, epochs=1, verbose=0)
    np.testing.assert_allclose(history.history["gradient_penalty"][0], 1.0, atol=2e-3)
    assert 2.0**8 <= float(critic_optimizer.dynamic_scale) < 2.0**15


@pytest.mark.parametrize("policy", ["mixed_float16"], indirect=True)
def test_overflowing_penalty_skips_the_step_and_halves_the_scale(policy):
    # At a scale of 2^20 the scaled input gradient overflows float16 (max
    # 65504): the penalty and the critic's gradients are not finite, so the
    # critic is left as it was and its loss scale halves.
    del policy
    critic_optimizer = keras.optimizers.LossScaleOptimizer(
        keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9), initial_scale=2.0**20
    )
    gan = linear_critic_gan(critic_optimizer)
    before = weights(gan.critic)
    gan.fit(toy_data(64), batch_size=64, epochs=1, verbose=0)
    for a, b in zip(before, weights(gan.critic)):
        np.testing.assert_array_equal(a, b)
    assert float(critic_optimizer.dynamic_scale) == 2.0**19
