import keras
import numpy as np
import pytest
from helpers import ListBatches, linear, tiny_toy_gan, to_numpy, toy_data, weights
from keras import ops

import wgan_keras as wk
from wgan_keras import data as wk_data
from wgan_keras._utils.layers import flatten_layers

D = 3


class RecordingGAN(wk.WassersteinGAN):
    """Records every latent batch the step draws (eager runs only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.drawn = []

    def sample_latent(self, batch_size):
        z = super().sample_latent(batch_size)
        self.drawn.append(to_numpy(z))
        return z


def linear_gan(cls=wk.WassersteinGAN, critic_steps=3, **kwargs):
    rng = np.random.default_rng(0)
    g = linear(D, D, rng.normal(size=(D, D)), rng.normal(size=D), name="g")
    c = linear(D, 1, rng.normal(size=(D, 1)), np.zeros(1), name="c")
    return cls(g, c, critic_steps=critic_steps, seed=0, **kwargs)


def batches_with_distinct_means(critic_steps, m):
    return np.concatenate(
        [np.full((m, D), i + 1.0, "float32") for i in range(critic_steps)]
    )


def test_one_step_matches_a_numpy_replay_of_algorithm_1():
    # Linear critic f(x) = w.x + b, linear generator G(z) = zA + c, plain SGD.
    # Critic update i: w -= lr_c * (mean(G(z_i)) - mean(real_i)), with its own
    # real batch and noise; then A -= lr_g * d(-mean(f(G(z_g))))/dA with the
    # *updated* critic and fresh noise. Nothing else may move.
    gan = linear_gan(RecordingGAN)
    a0, c0 = (to_numpy(v) for v in gan.generator.trainable_variables)
    w0, b0 = (to_numpy(v) for v in gan.critic.trainable_variables)
    gan.compile(
        critic_optimizer=keras.optimizers.SGD(0.1),
        generator_optimizer=keras.optimizers.SGD(0.01),
        run_eagerly=True,
    )
    m = 4
    real = batches_with_distinct_means(3, m)
    gan.fit(real, batch_size=m, shuffle=False, verbose=0)

    assert len(gan.drawn) == 4  # three critic updates, one generator update
    for i in range(4):
        for j in range(i):
            assert not np.allclose(gan.drawn[i], gan.drawn[j])  # fresh noise
    w = w0.copy()
    for i, z in enumerate(gan.drawn[:3]):
        fake_mean = (z @ a0 + c0).mean(axis=0)
        w -= 0.1 * (fake_mean - real[i * m : (i + 1) * m].mean(axis=0))[:, None]
    z = gan.drawn[3]
    a = a0 + 0.01 * np.outer(z.mean(axis=0), w[:, 0])
    c = c0 + 0.01 * w[:, 0]
    got_a, got_c = (to_numpy(v) for v in gan.generator.trainable_variables)
    got_w, got_b = (to_numpy(v) for v in gan.critic.trainable_variables)
    np.testing.assert_allclose(got_w, w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_b, b0)  # the bias gradient cancels exactly
    np.testing.assert_allclose(got_a, a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_c, c, rtol=1e-5, atol=1e-6)


class BatchRecordingGAN(wk.WassersteinGAN):
    """Records the real batch of every critic update (eager runs only)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.real_batches = []

    def _critic_update(self, real):
        self.real_batches.append(to_numpy(real))
        return super()._critic_update(real)


@pytest.mark.parametrize("kind", ["array", "tf.data", "PyDataset", "iterator"])
def test_each_critic_update_gets_its_own_batch_in_order(kind):
    # Batch k of the user's data is all k + 1: critic update k must see exactly
    # it, whatever the grouping and interleaving of the step's rows.
    m, critic_steps, steps = 4, 3, 2
    batches = [np.full((m, D), k + 1.0, "float32") for k in range(critic_steps * steps)]
    data = {
        "array": lambda: np.concatenate(batches),
        "tf.data": lambda: (
            pytest.importorskip("tensorflow")
            .data.Dataset.from_tensor_slices(np.concatenate(batches))
            .batch(m)
        ),
        "PyDataset": lambda: ListBatches(batches),
        "iterator": lambda: iter(batches),
    }[kind]()
    gan = linear_gan(BatchRecordingGAN, critic_steps=critic_steps)
    gan.compile(run_eagerly=True)
    gan.fit(data, batch_size=m if kind == "array" else None, shuffle=False, verbose=0)
    assert len(gan.real_batches) == critic_steps * steps
    for got, want in zip(gan.real_batches, batches):
        np.testing.assert_array_equal(got, want)


def test_pydataset_epochs_shorter_than_a_pass_continue_it():
    # Six batches, all k + 1 for batch k, make two train steps of three critic
    # batches per pass; epochs of one step must walk on through the pass and
    # wrap to its start, on every backend.
    m, critic_steps = 4, 3
    batches = [np.full((m, D), k + 1.0, "float32") for k in range(2 * critic_steps)]
    gan = linear_gan(BatchRecordingGAN, critic_steps=critic_steps)
    gan.compile(run_eagerly=True)
    gan.fit(ListBatches(batches), steps_per_epoch=1, epochs=3, verbose=0)
    seen = [float(batch[0, 0]) for batch in gan.real_batches]
    assert seen == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 1.0, 2.0, 3.0]


class HookedBatches(ListBatches):
    """Records the epoch hooks among the batches it serves."""

    def __init__(self, batches):
        super().__init__(batches)
        self.events = []

    def __getitem__(self, index):
        self.events.append(index)
        return super().__getitem__(index)

    def on_epoch_begin(self):
        self.events.append("begin")

    def on_epoch_end(self):
        self.events.append("end")


def test_fit_data_streams_python_data_without_tf_data_autotuning():

    batches = [np.full((2, D), k, "float32") for k in range(3)]
    if keras.config.backend() != "tensorflow":
        data = ListBatches(batches)
        assert wk_data.fit_data(data) is data
        return
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(np.zeros((4, D), "float32"))
    assert wk_data.fit_data(dataset) is dataset
    data = HookedBatches(batches)
    streamed = wk_data.fit_data(data)
    assert streamed.options().autotune.enabled is False
    assert data.events == [0]  # the signature's read opens no epoch
    del data.events[:]
    got = [x.numpy()[0, 0] for (x,) in streamed.take(7)]
    assert got == [0, 1, 2, 0, 1, 2, 0]  # endless passes, in order
    # Each pass between its hooks (prefetch may have read one pass further).
    assert data.events[:10] == ["begin", 0, 1, 2, "end", "begin", 0, 1, 2, "end"]
    labelled = wk_data.fit_data(iter([(b, b[:, 0]) for b in batches]))
    assert [float(y.numpy()[0]) for _, y in labelled] == [0.0, 1.0, 2.0]
    arrays = wk_data.fit_data(iter(batches))
    assert [x.numpy()[0, 0] for (x,) in arrays] == [0, 1, 2]


def test_fit_refuses_an_iterator_shorter_than_one_step():
    gan = linear_gan(critic_steps=3)
    gan.compile()
    with pytest.raises(
        ValueError, match=r"`critic_steps=3` batches\. Received: an iterator of fewer"
    ):
        gan.fit(iter([np.zeros((4, D), "float32")] * 2), verbose=0)


@pytest.mark.parametrize("shuffle", [True, False])
def test_array_epochs_longer_than_a_pass_run_on_into_the_next_pass(shuffle):
    # Row i is all i. Three train steps per pass; epochs of five steps: no
    # epoch may end early, and each pass of three steps shows every row once.
    m, critic_steps, per_pass = 2, 3, 3
    rows = m * critic_steps * per_pass
    x = np.repeat(np.arange(rows, dtype="float32")[:, None], D, axis=1)
    gan = linear_gan(BatchRecordingGAN, critic_steps=critic_steps)
    gan.compile(run_eagerly=True)
    history = gan.fit(
        x, batch_size=m, steps_per_epoch=5, epochs=2, shuffle=shuffle, verbose=0
    )
    assert len(history.history["critic_loss"]) == 2
    assert int(to_numpy(gan.generator_optimizer.iterations)) == 10
    seen = np.concatenate([batch[:, 0] for batch in gan.real_batches])
    assert seen.shape == (10 * critic_steps * m,)
    per_pass_rows = per_pass * critic_steps * m
    for start in range(0, 9 * critic_steps * m, per_pass_rows):
        np.testing.assert_array_equal(
            np.sort(seen[start : start + per_pass_rows]), np.arange(rows)
        )


@pytest.mark.parametrize("steps_per_epoch", [2, 3, 5])
def test_array_batches_resume_at_any_epoch_as_if_never_stopped(steps_per_epoch):
    from wgan_keras.data import ArrayCriticBatches

    x = np.arange(60, dtype="float32")[:, None]  # 3 groups of 2 x 10 per pass

    def epoch_rows(batches):
        return np.concatenate([batches[i].ravel() for i in range(len(batches))])

    def make():
        return ArrayCriticBatches(x, 10, 2, seed=7, steps_per_epoch=steps_per_epoch)

    uninterrupted, epochs = make(), []
    for _ in range(4):
        uninterrupted.on_epoch_begin()
        epochs.append(epoch_rows(uninterrupted))
        uninterrupted.on_epoch_end()
    stream = np.concatenate(epochs)
    for start in range(0, len(stream) - 59, 60):  # every full pass: each row once
        np.testing.assert_array_equal(np.sort(stream[start : start + 60]), x[:, 0])
    for k in range(4):
        resumed = make()
        resumed.skip_epochs(k)
        resumed.on_epoch_end()  # as Keras does before a fit's first epoch
        resumed.on_epoch_begin()
        assert len(resumed) == steps_per_epoch
        np.testing.assert_array_equal(epoch_rows(resumed), epochs[k])


def test_fit_rejects_a_bad_steps_per_epoch():
    gan = tiny_toy_gan()
    gan.compile()
    with pytest.raises(ValueError, match="Received: steps_per_epoch=0"):
        gan.fit(toy_data(160), batch_size=8, steps_per_epoch=0, verbose=0)


def test_compiled_step_equals_eager_step():
    results = []
    for run_eagerly in (True, False):
        keras.utils.set_random_seed(1)
        gan = tiny_toy_gan(seed=3)
        gan.compile(run_eagerly=run_eagerly)
        gan.fit(toy_data(16 * 5 * 2), batch_size=16, shuffle=False, verbose=0)
        results.append(weights(gan))
    for eager, compiled in zip(*results):
        np.testing.assert_allclose(compiled, eager, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "cls, critic_kwargs",
    [(wk.WGAN, {}), (wk.WGANGP, {}), (wk.SNWGAN, {"spectral_norm": True})],
)
def test_optimizers_advance_inside_the_compiled_step(cls, critic_kwargs):
    gan = tiny_toy_gan(cls, critic_kwargs, critic_steps=4)
    gan.compile()
    k = 3
    history = gan.fit(toy_data(8 * 4 * k), batch_size=8, verbose=0)
    assert int(to_numpy(gan.critic_optimizer.iterations)) == 4 * k
    assert int(to_numpy(gan.generator_optimizer.iterations)) == k
    # The optimizers' own state (e.g. Adam's moments) moved too.
    moved = [np.abs(to_numpy(v)).sum() > 0 for v in gan.generator_optimizer.variables]
    assert all(moved)
    for name in ("critic_loss", "generator_loss", "wasserstein_estimate"):
        assert np.isfinite(history.history[name]).all()


def test_generator_update_leaves_the_critic_alone_and_vice_versa():
    gan = tiny_toy_gan(critic_steps=2)
    gan.compile(
        critic_optimizer=keras.optimizers.Adam(1e-3),
        generator_optimizer=keras.optimizers.SGD(0.0),
    )
    generator_before = weights(gan.generator)
    gan.fit(toy_data(64), batch_size=16, verbose=0)
    for before, after in zip(generator_before, weights(gan.generator)):
        np.testing.assert_array_equal(after, before)

    gan = tiny_toy_gan(critic_steps=2)
    gan.compile(
        critic_optimizer=keras.optimizers.SGD(0.0),
        generator_optimizer=keras.optimizers.Adam(1e-3),
    )
    critic_before = weights(gan.critic)
    gan.fit(toy_data(64), batch_size=16, verbose=0)
    for before, after in zip(critic_before, weights(gan.critic)):
        np.testing.assert_array_equal(after, before)


def test_history_holds_the_named_metrics():
    gan = tiny_toy_gan()
    gan.compile()
    history = gan.fit(toy_data(16 * 5 * 2), batch_size=16, epochs=2, verbose=0)
    assert sorted(history.history) == [
        "critic_loss",
        "generator_loss",
        "gradient_norm",
        "gradient_penalty",
        "wasserstein_estimate",
    ]
    assert all(len(v) == 2 for v in history.history.values())


def test_wasserstein_estimate_excludes_the_penalty():
    gan = tiny_toy_gan(wk.WGANGP, gp_weight=10.0)
    gan.compile(
        critic_optimizer=keras.optimizers.SGD(0.0),
        generator_optimizer=keras.optimizers.SGD(0.0),
    )
    logs = gan.fit(toy_data(16 * 5), batch_size=16, verbose=0).history
    critic_loss = logs["critic_loss"][0]
    expected = -logs["wasserstein_estimate"][0] + 10.0 * logs["gradient_penalty"][0]
    assert critic_loss == pytest.approx(expected, rel=1e-4, abs=1e-6)


class ClipRecordingWGAN(wk.WGAN):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extremes = []

    def _critic_update(self, real):
        super()._critic_update(real)
        self.extremes.append(
            max(np.abs(to_numpy(v)).max() for v in self.critic.trainable_variables)
        )


def test_weight_clipping_holds_after_every_critic_update():
    critic = wk.networks.DCGANCritic(image_shape=(16, 16, 1), dim=4, batch_norm=True)
    generator = wk.networks.DCGANGenerator(4, (16, 16, 1), dim=4)
    gan = ClipRecordingWGAN(generator, critic, clip_value=0.01, critic_steps=3)
    # A large learning rate pushes weights far past c within one update.
    gan.compile(critic_optimizer=keras.optimizers.SGD(10.0), run_eagerly=True)
    data = np.random.default_rng(0).uniform(-1, 1, (4 * 3 * 2, 16, 16, 1))
    gan.fit(data.astype("float32"), batch_size=4, verbose=0)
    assert len(gan.extremes) == 6
    assert max(gan.extremes) <= 0.01 + 1e-7
    assert min(gan.extremes) == pytest.approx(0.01)  # the clip was binding
    # Non-trainable state (batch-norm moving variance starts at 1) is not clipped.
    variances = [v for v in critic.non_trainable_variables if "variance" in v.path]
    assert variances and max(np.abs(to_numpy(v)).max() for v in variances) > 0.1


def test_weight_clipping_applies_in_the_compiled_step():
    gan = tiny_toy_gan(wk.WGAN, clip_value=0.02)
    gan.compile(critic_optimizer=keras.optimizers.SGD(5.0))
    gan.fit(toy_data(16 * 5 * 2), batch_size=16, verbose=0)
    extremes = [np.abs(to_numpy(v)).max() for v in gan.critic.trainable_variables]
    assert max(extremes) == pytest.approx(0.02)


def test_default_optimizers_are_the_papers():
    wgan = tiny_toy_gan(wk.WGAN)
    wgan.compile()
    for opt in (wgan.critic_optimizer, wgan.generator_optimizer):
        assert isinstance(opt, keras.optimizers.RMSprop)
        assert float(to_numpy(opt.learning_rate)) == pytest.approx(5e-5)
        assert (opt.rho, opt.epsilon, opt.momentum) == (0.9, 1e-10, 0.0)
    assert wgan.clip_value == 0.01 and wgan.critic_steps == 5
    gp = tiny_toy_gan(wk.WGANGP)
    gp.compile()
    for opt in (gp.critic_optimizer, gp.generator_optimizer):
        assert isinstance(opt, keras.optimizers.Adam)
        assert float(to_numpy(opt.learning_rate)) == pytest.approx(1e-4)
        assert (opt.beta_1, opt.beta_2) == (0.0, 0.9)
    assert gp.gp_weight == 10.0 and gp.critic_steps == 5


@pytest.mark.parametrize("gradient", [1e-5, 1e-4, 1e-2])
def test_clipping_rmsprop_steps_small_gradients_as_the_reference(gradient):
    # RMSprop's first step: v = (1 - rho) g**2, then w -= lr g / sqrt(v + eps).
    # With eps = 1e-10 a gradient of 1e-4 moves the weight 3.02 lr, near the
    # scale-free lr / sqrt(0.1) = 3.16 lr; Keras' eps = 1e-7 would move it 0.31 lr.
    optimizer = tiny_toy_gan(wk.WGAN).default_generator_optimizer()
    weight = keras.Variable(np.zeros(3, "float32"))
    optimizer.apply([ops.full((3,), gradient)], [weight])
    lr = 5e-5
    expected = -lr * gradient / np.sqrt(0.1 * gradient**2 + 1e-10)
    np.testing.assert_allclose(to_numpy(weight), expected, rtol=1e-5)
    if gradient >= 1e-4:  # within 5% of the scale-free step
        assert 0.95 < -to_numpy(weight)[0] / (lr / np.sqrt(0.1)) <= 1.0


def test_train_step_flushes_denormals_on_every_backend():
    # TensorFlow and XLA flush denormal floats to zero on CPU; torch's step does
    # too (`wgan_keras.backend.torch.flush_denormals`). Under the penalty the
    # critic's output bias gets no gradient, so Adam's second moment of it only
    # decays: 0.9 * 2**-127 is denormal unless the step flushes it to 0.
    gan = tiny_toy_gan(critic_steps=1, seed=0)
    gan.compile()
    gan.fit(toy_data(64), batch_size=64, epochs=1, verbose=0)  # builds Adam
    denormal = np.frombuffer(np.uint32(1 << 22).tobytes(), "float32")[0]  # 2**-127
    assert 0 < denormal < np.finfo("float32").tiny
    velocities = {
        v.path: v for v in gan.critic_optimizer.variables if "velocity" in v.path
    }
    for variable in velocities.values():
        variable.assign(np.full(variable.shape, denormal, "float32"))
    gan.fit(toy_data(64, seed=1), batch_size=64, epochs=1, verbose=0)
    np.testing.assert_array_equal(to_numpy(velocities["adam/score_bias_velocity"]), 0)
    for path, variable in velocities.items():
        value = to_numpy(variable)
        assert not ((value > 0) & (value < np.finfo("float32").tiny)).any(), path
    assert denormal * np.float32(1) == denormal  # outside the step: kept


def test_penalty_interpolation_weight_is_uniform_per_sample():
    g = wk.networks.DCGANGenerator(4, (8, 8, 1), dim=4)
    c = wk.networks.DCGANCritic((8, 8, 1), dim=4)
    gan = wk.WGANGP(g, c, seed=0)
    eps = to_numpy(gan.critic_noise(ops.zeros((512, 8, 8, 1))))
    assert eps.shape == (512, 1, 1, 1)
    assert eps.min() >= 0.0 and eps.max() <= 1.0
    # U[0, 1] has mean 1/2 and std 1/sqrt(12); 512 draws: 5-sigma bounds.
    assert eps.mean() == pytest.approx(0.5, abs=5 * 0.2887 / np.sqrt(512))


def test_linear_critic_penalty_in_the_model_matches_closed_form():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4 * 4 * 1, 1)).astype("float32")
    images = keras.Input((4, 4, 1))
    dense = keras.layers.Dense(1, use_bias=False)
    critic = keras.Model(images, dense(keras.layers.Flatten()(images)))
    dense.kernel.assign(w)
    generator = keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(16), keras.layers.Reshape((4, 4, 1))]
    )
    gan = wk.WGANGP(generator, critic, gp_weight=10.0)
    real = ops.convert_to_tensor(rng.normal(size=(6, 4, 4, 1)).astype("float32"))
    fake = ops.convert_to_tensor(rng.normal(size=(6, 4, 4, 1)).astype("float32"))
    values = [v.value for v in critic.trainable_variables]

    def score_fn(x):
        return critic.stateless_call(values, [], x, training=True)[0]

    real_scores, fake_scores = score_fn(real), score_fn(fake)
    loss, logs = gan.critic_objective(
        real_scores, fake_scores, (score_fn, real, fake, gan.critic_noise(real))
    )
    penalty = (np.linalg.norm(w) - 1.0) ** 2
    assert float(to_numpy(logs["gradient_penalty"])) == pytest.approx(penalty, 1e-5)
    norm = float(to_numpy(logs["gradient_norm"]))
    assert norm == pytest.approx(np.linalg.norm(w), 1e-5)
    expected = float(to_numpy(ops.mean(fake_scores) - ops.mean(real_scores)))
    assert float(to_numpy(loss)) == pytest.approx(expected + 10 * penalty, 1e-5)


def test_gradient_penalty_refuses_a_batch_normalized_critic():
    g = wk.networks.DCGANGenerator(4, (16, 16, 1), dim=4)
    c = wk.networks.DCGANCritic((16, 16, 1), dim=4, batch_norm=True)
    with pytest.raises(ValueError, match="must not use it .*BatchNormalization"):
        wk.WGANGP(g, c)


def test_sn_wgan_requires_a_spectrally_normalized_critic():
    with pytest.raises(ValueError, match="SpectralNormalization"):
        tiny_toy_gan(wk.SNWGAN)
    gan = tiny_toy_gan(wk.SNWGAN, {"spectral_norm": True}, loss="hinge")
    gan.compile()
    gan.fit(toy_data(16 * 5), batch_size=16, verbose=0)
    with pytest.raises(ValueError, match="Received: loss='bce'"):
        tiny_toy_gan(wk.SNWGAN, {"spectral_norm": True}, loss="bce")


@pytest.mark.parametrize("loss", ["wasserstein", "hinge"])
def test_spectral_norm_holds_after_training(loss):
    # One power iteration per training call (the paper) lags once training
    # brings the top singular values together; fit converges `u` at the end.
    keras.utils.set_random_seed(0)
    gan = tiny_toy_gan(wk.SNWGAN, {"spectral_norm": True}, loss=loss)
    gan.compile()
    gan.fit(toy_data(16 * 5 * 30), batch_size=16, verbose=0)
    layers = [
        layer
        for layer in flatten_layers(gan.critic)
        if isinstance(layer, wk.layers.SpectralNormalization)
    ]
    assert len(layers) == 5
    for layer in layers:
        kernel, _ = layer.normalized_kernel(training=False)
        kernel = to_numpy(kernel)
        top = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
        assert top == pytest.approx(1.0, abs=0.02)


def test_original_schedule_waits_for_100_critic_updates():
    gan = tiny_toy_gan(critic_schedule="original", critic_steps=5)
    gan.compile()
    data = toy_data(4 * 5 * 40)
    gan.fit(data, batch_size=4, shuffle=False, verbose=0, steps_per_epoch=19)
    assert int(to_numpy(gan.generator_optimizer.iterations)) == 0
    assert int(to_numpy(gan.critic_optimizer.iterations)) == 95
    gan.fit(data, batch_size=4, shuffle=False, verbose=0, steps_per_epoch=21)
    # 100 critic updates -> generator update 0; the next one (index 1 < 25)
    # again waits for 100, so 200 critic updates give exactly 2.
    assert int(to_numpy(gan.critic_optimizer.iterations)) == 200
    assert int(to_numpy(gan.generator_optimizer.iterations)) == 2
    assert int(to_numpy(gan.critic_updates_since_generator)) == 0


def test_original_schedule_boosts_at_the_papers_iterations():
    gan = tiny_toy_gan(critic_schedule="original", critic_steps=5)
    required = [int(to_numpy(gan.critic_steps_required(i))) for i in range(1002)]
    assert required[:25] == [100] * 25
    assert required[25:500] == [5] * 475
    assert required[500] == 100 and required[501] == 5 and required[1000] == 100


def test_same_seeds_give_identical_weights():
    runs = []
    for _ in range(2):
        keras.utils.set_random_seed(42)
        gan = tiny_toy_gan(seed=7)
        gan.compile()
        gan.fit(toy_data(16 * 5 * 3), batch_size=16, verbose=0)
        runs.append(weights(gan))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_different_seeds_give_different_noise():
    a = tiny_toy_gan(seed=1)
    b = tiny_toy_gan(seed=2)
    assert not np.allclose(to_numpy(a.sample_latent(8)), to_numpy(b.sample_latent(8)))


def test_generate_is_deterministic_and_in_range():
    g = wk.networks.DCGANGenerator(latent_dim=8, image_shape=(28, 28, 1), dim=4)
    c = wk.networks.DCGANCritic(image_shape=(28, 28, 1), dim=4)
    gan = wk.WGANGP(generator=g, critic=c, latent_dim=8)
    images = gan.generate(10, seed=0, batch_size=4)
    assert images.shape == (10, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images, gan.generate(10, seed=0, batch_size=4))
    # Other batch sizes draw the same noise; the convolutions' blocking may
    # change the last bit (XLA's sub-pixel convolution does).
    np.testing.assert_allclose(images, gan.generate(10, seed=0), rtol=0, atol=1e-6)
    assert not np.allclose(images, gan.generate(10, seed=1))


def test_fit_accepts_a_tf_data_dataset_of_critic_batches():
    tf = pytest.importorskip("tensorflow")
    gan = tiny_toy_gan(critic_steps=5)
    gan.compile()
    dataset = tf.data.Dataset.from_tensor_slices(toy_data(16 * 5 * 3)).batch(16)
    gan.fit(dataset, verbose=0)
    assert int(to_numpy(gan.generator_optimizer.iterations)) == 3
    assert int(to_numpy(gan.critic_optimizer.iterations)) == 15


def test_validation_data_reports_the_estimate():
    gan = tiny_toy_gan()
    gan.compile()
    logs = gan.fit(
        toy_data(16 * 5), batch_size=16, validation_data=toy_data(32, 1), verbose=0
    ).history
    assert np.isfinite(logs["val_wasserstein_estimate"]).all()
    assert "val_gradient_penalty" not in logs  # evaluation computes no penalty
