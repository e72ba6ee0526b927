"""Class-conditional GANs: the layers' closed forms, training with labels on
every method, the labels the penalty and the classifier see, sampling, grids,
saving, and the errors for labels that do not fit."""

import keras
import numpy as np
import pytest
from helpers import ListBatches, to_numpy
from PIL import Image

import wgan_keras as wk

CLASSES = 3
LATENT = 8


def images_and_labels(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 28, 28, 1)).astype("float32")
    return x, rng.integers(0, CLASSES, n).astype("int32")


def conditional_gan(method="sn", conditioning="projection", **kwargs):
    keras.utils.set_random_seed(0)
    generator = wk.networks.DCGANGenerator(
        latent_dim=LATENT, dim=4, num_classes=CLASSES
    )
    critic = wk.networks.DCGANCritic(
        dim=4,
        num_classes=CLASSES,
        conditioning=conditioning,
        spectral_norm=method == "sn",
        batch_norm=method == "clip",
    )
    cls = {"sn": wk.SNWGAN, "gp": wk.WGANGP, "clip": wk.WGAN}[method]
    gan = cls(generator, critic, critic_steps=2, seed=0, **kwargs)
    gan.compile()
    return gan


# ------------------------------------------------------------------ layers


def test_conditional_batch_norm_scales_and_offsets_each_sample_by_its_class():
    layer = wk.layers.ConditionalBatchNormalization(CLASSES, epsilon=1e-5)
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, (6, 4, 4, 5)).astype("float32")
    labels = np.array([0, 1, 2, 2, 1, 0])
    layer.build([x.shape, labels.shape])
    gamma = rng.uniform(0.5, 2.0, (CLASSES, 5)).astype("float32")
    beta = rng.normal(0, 1, (CLASSES, 5)).astype("float32")
    layer.class_gamma.assign(gamma)
    layer.class_beta.assign(beta)
    normalized = (x - x.mean((0, 1, 2))) / np.sqrt(x.var((0, 1, 2)) + 1e-5)
    expected = normalized * gamma[labels][:, None, None] + beta[labels][:, None, None]
    outputs = to_numpy(layer([x, labels], training=True))
    np.testing.assert_allclose(outputs, expected, rtol=1e-4, atol=1e-4)
    # Statistics are shared by the classes: one moving mean, not one each.
    assert tuple(layer.moving_mean.shape) == (5,)
    trainable = sorted(w.path.split("/")[-1] for w in layer.trainable_weights)
    assert trainable == ["class_beta", "class_gamma"]


def test_spectrally_normalized_class_embedding_divides_by_its_top_singular_value():
    embedding = wk.layers.ClassEmbedding(CLASSES, 7)
    layer = wk.layers.SpectralNormalization(embedding)
    labels = np.array([2, 0, 1])
    layer(labels)
    layer.converge_singular_vector()
    table = to_numpy(embedding.kernel)
    sigma = np.linalg.svd(table, compute_uv=False)[0]
    np.testing.assert_allclose(
        to_numpy(layer(labels)), table[labels] / sigma, rtol=1e-5, atol=1e-6
    )


def test_projection_critic_adds_the_embedded_label_to_its_score():
    critic = wk.networks.DCGANCritic(dim=4, num_classes=CLASSES)
    x = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    features = keras.Model(critic.inputs[0], critic.get_layer("score").input)
    h = to_numpy(features(x))
    table = to_numpy(critic.get_layer("class_embedding").kernel)
    scores = {c: to_numpy(critic([x, np.full(4, c)])) for c in range(CLASSES)}
    for c in range(1, CLASSES):
        expected = h @ (table[c] - table[0])
        np.testing.assert_allclose(
            (scores[c] - scores[0])[:, 0], expected, rtol=1e-4, atol=1e-5
        )
        assert np.abs(scores[c] - scores[0]).max() > 1e-3


def test_the_sn_gan_64_critic_halves_five_times():
    critic = wk.networks.ResNetCritic(
        image_shape=(64, 64, 3),
        channels=(4, 4, 8, 8, 8),
        num_plain_blocks=0,
        pooling="sum",
    )
    pooled = critic.get_layer("score").input
    before = keras.Model(critic.input, pooled)
    x = np.ones((1, 64, 64, 3), "float32")
    mean = keras.Model(critic.input, critic.layers[-3].output)  # the map's mean
    np.testing.assert_allclose(
        to_numpy(before(x)), 4 * to_numpy(mean(x)), rtol=1e-5
    )  # a 2x2 map


# ---------------------------------------------------------------- training


@pytest.mark.parametrize(
    "method, conditioning",
    [
        ("sn", "projection"),
        ("gp", "projection"),
        ("gp", "auxiliary"),
        ("clip", "projection"),
    ],
)
def test_one_conditional_step_per_method(method, conditioning):
    gan = conditional_gan(method, conditioning)
    x, y = images_and_labels()
    before = [to_numpy(w).copy() for w in gan.generator.trainable_weights]
    history = gan.fit(x, y, batch_size=16, epochs=1, steps_per_epoch=1, verbose=0)
    logs = {k: v[-1] for k, v in history.history.items()}
    assert all(np.isfinite(v) for v in logs.values()), logs
    assert ("classifier_loss" in logs) == (conditioning == "auxiliary")
    after = [to_numpy(w) for w in gan.generator.trainable_weights]
    assert any(np.abs(a - b).max() > 0 for a, b in zip(after, before))
    class_tables = [w for w in gan.generator.trainable_weights if "class_" in w.path]
    assert class_tables  # the per-class batch-norm tables are trained


def test_datasets_of_samples_and_labels_train():
    gan = conditional_gan("sn")
    x, y = images_and_labels(64)
    batches = [(x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]
    gan.fit(ListBatches(batches), epochs=1, verbose=0)
    gan.fit(iter(batches), epochs=1, steps_per_epoch=2, verbose=0)
    if keras.config.backend() == "tensorflow":
        import tensorflow as tf

        dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
        gan.fit(dataset, epochs=1, verbose=0)


def projection_only_critic():
    """`f(x, y) = <w[y], x>`: its input gradient is `w[y]`, by label."""
    images = keras.Input((28, 28, 1), name="images")
    labels = keras.Input((), dtype="int32", name="labels")
    flat = keras.layers.Flatten()(images)
    embedded = wk.layers.ClassEmbedding(CLASSES, 28 * 28, name="w")(labels)
    scores = keras.layers.Dot(axes=-1)([embedded, flat])
    return keras.Model([images, labels], scores)


def test_interpolates_keep_their_labels_in_the_penalty():
    keras.utils.set_random_seed(0)
    generator = wk.networks.DCGANGenerator(
        latent_dim=LATENT, dim=4, num_classes=CLASSES
    )
    critic = projection_only_critic()
    table = to_numpy(critic.get_layer("w").kernel)
    norms = np.array([0.5, 1.0, 2.0])  # far apart, so the labels matter
    table = table / np.linalg.norm(table, axis=1, keepdims=True) * norms[:, None]
    critic.get_layer("w").kernel.assign(table.astype("float32"))
    gan = wk.WGANGP(generator, critic, critic_steps=1, num_classes=CLASSES)
    gan.compile()
    x, y = images_and_labels(32)
    history = gan.fit(x, y, batch_size=32, epochs=1, steps_per_epoch=1, verbose=0)
    expected = np.mean((norms[y] - 1.0) ** 2)
    np.testing.assert_allclose(
        history.history["gradient_penalty"][0], expected, rtol=1e-4
    )


def test_the_auxiliary_classifier_loss_is_the_cross_entropy_on_real_samples():
    gan = conditional_gan("gp", "auxiliary")
    x, y = images_and_labels(32)
    _, logits = gan.critic(x, training=True)
    logits = to_numpy(logits).astype("float64")
    log_softmax = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    expected = -np.mean(log_softmax[np.arange(32), y])
    gan.critic_steps = 1
    history = gan.fit(x, y, batch_size=32, epochs=1, steps_per_epoch=1, verbose=0)
    np.testing.assert_allclose(
        history.history["classifier_loss"][0], expected, rtol=1e-4
    )


# -------------------------------------------------------- sampling, saving


def test_generate_draws_the_requested_classes_and_reloads(tmp_path):
    gan = conditional_gan("sn", ema_decay=0.9)
    x, y = images_and_labels()
    gan.fit(x, y, batch_size=16, epochs=1, steps_per_epoch=1, verbose=0)
    ones = gan.generate(6, labels=1, seed=3)
    again = gan.generate(6, labels=np.ones(6, "int32"), seed=3)
    twos = gan.generate(6, labels=2, seed=3)
    np.testing.assert_array_equal(ones, again)
    assert np.abs(ones - twos).max() > 1e-4
    cycled = gan.generate(6, seed=3)  # labels 0, 1, 2, 0, 1, 2
    np.testing.assert_allclose(cycled[1], ones[1], atol=1e-6)
    path = tmp_path / "gan.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.num_classes == CLASSES and loaded.critic_takes_labels
    np.testing.assert_allclose(loaded.generate(6, labels=1, seed=3), ones, atol=1e-5)


def test_sample_grid_draws_a_row_per_class(tmp_path):
    gan = conditional_gan("sn")
    x, y = images_and_labels()
    grid = wk.callbacks.SampleGrid(tmp_path, num_samples=12)
    gan.fit(
        x, y, batch_size=16, epochs=1, steps_per_epoch=1, callbacks=[grid], verbose=0
    )
    with Image.open(grid.last_path) as image:
        width, height = image.size
    # 3 rows (one per class) of 4 columns, 28 pixels each with 2 of padding.
    assert (width, height) == (4 * 30 + 2, 3 * 30 + 2)
    classes, columns = grid.grid_classes()
    assert list(classes) == [0, 1, 2] and columns == 4


def test_wasserstein_logger_scores_held_out_samples_with_their_labels():
    gan = conditional_gan("sn")
    x, y = images_and_labels()
    logger = wk.callbacks.WassersteinLogger(validation_data=(x[:32], y[:32]))
    gan.fit(
        x, y, batch_size=16, epochs=1, steps_per_epoch=1, callbacks=[logger], verbose=0
    )
    assert np.isfinite(logger.epoch_logs["dev_wasserstein_estimate"][-1])


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "labels, message",
    [
        (
            np.full(96, CLASSES),
            r"`y` must lie in \[0, 3\).*Received: y with values in \[3, 3\]",
        ),
        (np.full(96, -1), r"Received: y with values in \[-1, -1\]"),
        (np.zeros(96, "float32"), "`y` must be integer class labels"),
        (np.zeros(95, "int32"), r"one label per sample \(96\). Received: 95"),
        (None, "pass their class labels as `y`. Received: y=None"),
    ],
)
def test_fit_refuses_labels_that_do_not_fit(labels, message):
    gan = conditional_gan("sn")
    x, _ = images_and_labels()
    with pytest.raises(ValueError, match=message):
        gan.fit(x, labels, batch_size=16, epochs=1, verbose=0)
    assert int(to_numpy(gan.generator_optimizer.iterations)) == 0


def test_streamed_labels_are_checked_as_read():
    import tensorflow as tf

    # On TensorFlow the check runs inside tf.data, which re-raises it.
    errors = (ValueError, tf.errors.InvalidArgumentError)
    gan = conditional_gan("sn")
    x, y = images_and_labels(64)
    y[5] = 7
    batches = [(x[i : i + 16], y[i : i + 16]) for i in range(0, 64, 16)]
    message = r"labels must be integers in \[0, 3\) .*values in \[0, 7\]"
    with pytest.raises(errors, match=message):
        gan.fit(ListBatches(batches), epochs=1, verbose=0)
    if keras.config.backend() == "tensorflow":
        dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)
        with pytest.raises(errors, match=r"labels must be integers in \[0, 3\)"):
            gan.fit(dataset, epochs=1, verbose=0)
    with pytest.raises(errors, match=r"must yield `\(samples, labels\)` batches"):
        gan.fit(ListBatches([b[0] for b in batches]), epochs=1, verbose=0)
    assert int(to_numpy(gan.generator_optimizer.iterations)) == 0


def test_an_unconditional_gan_refuses_labels():
    generator = wk.networks.DCGANGenerator(latent_dim=LATENT, dim=4)
    critic = wk.networks.DCGANCritic(dim=4, spectral_norm=True)
    gan = wk.SNWGAN(generator, critic)
    gan.compile()
    x, y = images_and_labels()
    with pytest.raises(ValueError, match="unconditional.*Received: y of type ndarray"):
        gan.fit(x, y, batch_size=16, verbose=0)
    with pytest.raises(ValueError, match="`labels` are for a conditional generator"):
        gan.generate(4, labels=1)


def test_conditional_networks_must_agree():
    conditional = wk.networks.DCGANGenerator(latent_dim=LATENT, dim=4, num_classes=3)
    plain = wk.networks.DCGANGenerator(latent_dim=LATENT, dim=4)
    projection = wk.networks.DCGANCritic(dim=4, num_classes=3)
    with pytest.raises(ValueError, match="a critic that uses the labels"):
        wk.SNWGAN(conditional, wk.networks.DCGANCritic(dim=4))
    with pytest.raises(ValueError, match="given no `num_classes`"):
        wk.SNWGAN(plain, projection)
    with pytest.raises(ValueError, match="must know the generator's 3 classes"):
        wk.SNWGAN(conditional, wk.networks.DCGANCritic(dim=4, num_classes=4))
    with pytest.raises(ValueError, match="needs them. Received: num_classes=3, "):
        wk.networks.DCGANGenerator(num_classes=3, batch_norm=False)
    with pytest.raises(ValueError, match="`conditioning` must be one of"):
        wk.networks.DCGANCritic(num_classes=3, conditioning="concat")
    with pytest.raises(ValueError, match="`num_classes` must be an int >= 2"):
        wk.networks.ResNetCritic(num_classes=1)
    gan = conditional_gan("sn")
    with pytest.raises(ValueError, match=r"`labels` must lie in \[0, 3\)"):
        gan.generate(4, labels=[0, 1, 2, 3])
