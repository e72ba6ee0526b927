"""`wk.metrics` and `wk.evaluation` against closed forms."""

import json
import os
import time

import keras
import numpy as np
import pytest

import wgan_keras as wk
from wgan_keras import evaluation
from wgan_keras.metrics import feature_networks


def _gaussian(n, d, seed):
    return np.random.default_rng(seed).standard_normal((n, d))


# ------------------------------------------------------------ Frechet distance


def test_frechet_distance_of_diagonal_gaussians_is_closed_form():
    mean_x, mean_y = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
    var_x, var_y = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = np.sum((mean_x - mean_y) ** 2) + np.sum(
        var_x + var_y - 2 * np.sqrt(var_x * var_y)
    )  # 5 + (4 + 1 + 0) = 10
    actual = wk.metrics.frechet_distance_from_moments(
        mean_x, np.diag(var_x), mean_y, np.diag(var_y)
    )
    assert actual == pytest.approx(expected, rel=1e-12)
    assert expected == 10.0


def test_frechet_distance_of_a_translation_is_the_squared_shift():
    x = _gaussian(500, 4, seed=0) @ np.diag([1.0, 2.0, 0.5, 1.5])
    shift = np.array([0.3, -1.0, 2.0, 0.0])
    # Same covariance: the trace terms cancel exactly.
    assert wk.metrics.frechet_distance(x, x + shift) == pytest.approx(
        np.sum(shift**2), rel=1e-9
    )
    assert wk.metrics.frechet_distance(x, x) == pytest.approx(0.0, abs=1e-9)


def test_frechet_distance_of_a_scaling_is_mean_and_trace():
    x = _gaussian(400, 3, seed=1) + np.array([1.0, 0.0, -1.0])
    mean, cov = wk.metrics.gaussian_moments(x)
    # y = 2x: ||m||^2 + tr(C + 4C - 2 * 2C) = ||m||^2 + tr(C).
    expected = np.sum(mean**2) + np.trace(cov)
    assert wk.metrics.frechet_distance(x, 2 * x) == pytest.approx(expected, rel=1e-9)


def test_frechet_distance_runs_the_feature_network():
    x = _gaussian(64, 6, seed=2).astype("float32")
    inputs = keras.Input((6,))
    dense = keras.layers.Dense(3, use_bias=False)
    network = keras.Model(inputs, dense(inputs))
    kernel = keras.ops.convert_to_numpy(dense.kernel)
    expected = wk.metrics.frechet_distance(x @ kernel, (x + 1) @ kernel)
    assert wk.metrics.frechet_distance(x, x + 1, network) == pytest.approx(
        expected, rel=1e-4
    )


def test_features_runs_in_batches_and_gives_one_array_per_output():
    # 7 samples in batches of 3: two full batches and a short one.
    x = _gaussian(7, 4, seed=3).astype("float32")
    inputs = keras.Input((4,))
    first = keras.layers.Dense(3, use_bias=False)
    second = keras.layers.Dense(2, use_bias=False)
    hidden = first(inputs)
    network = keras.Model(inputs, [hidden, second(hidden)])
    w1 = keras.ops.convert_to_numpy(first.kernel).astype("float64")
    w2 = keras.ops.convert_to_numpy(second.kernel).astype("float64")
    hidden_out, scores = wk.metrics.features(x, network, batch_size=3)
    assert hidden_out.dtype == scores.dtype == np.float64
    np.testing.assert_allclose(hidden_out, x @ w1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(scores, x @ w1 @ w2, rtol=1e-5, atol=1e-6)
    single = keras.Model(inputs, hidden)
    np.testing.assert_allclose(wk.metrics.features(x, single, 3), hidden_out, atol=0)


def test_features_refuse_an_empty_batch():
    network = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"non-empty batch.*shape \(0, 2\)"):
        wk.metrics.features(np.zeros((0, 2)), network)


# --------------------------------------------------------------------- KID


def _mmd2_by_loops(x, y):
    def k(a, b):
        return (a @ b / len(a) + 1) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j)
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n))
    return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n)


def test_unbiased_mmd2_matches_the_definition():
    x, y = _gaussian(12, 3, seed=3), _gaussian(9, 3, seed=4) + 0.5
    assert wk.metrics.unbiased_mmd2(x, y) == pytest.approx(
        _mmd2_by_loops(x, y), rel=1e-10
    )


def test_kid_is_zero_in_expectation_for_one_distribution_and_grows_with_a_shift():
    x, y = _gaussian(2000, 8, seed=5), _gaussian(2000, 8, seed=6)
    same, std = wk.metrics.kernel_inception_distance(
        x, y, num_subsets=50, subset_size=500, return_std=True
    )
    # Unbiased: the mean over subsets is within a few standard errors of 0.
    assert abs(same) < 4 * std / np.sqrt(50) + 1e-4
    shifted = wk.metrics.kernel_inception_distance(
        x, y + 0.5, num_subsets=50, subset_size=500
    )
    assert shifted > 20 * abs(same) and shifted > 0.01


def test_kid_subsets_are_seeded():
    x, y = _gaussian(300, 4, seed=7), _gaussian(300, 4, seed=8)
    args = dict(num_subsets=5, subset_size=100)
    assert wk.metrics.kernel_inception_distance(
        x, y, seed=1, **args
    ) == wk.metrics.kernel_inception_distance(x, y, seed=1, **args)


# ----------------------------------------------------------- W1, sliced W1


def test_exact_w1_of_a_translation_is_the_shift_length():
    x = _gaussian(200, 2, seed=9)
    shift = np.array([0.6, -0.8])  # length 1
    assert wk.metrics.exact_wasserstein_1(x, x + shift) == pytest.approx(1.0, rel=1e-9)


def test_sliced_w1_of_a_translation_is_the_mean_projected_shift():
    x = _gaussian(500, 2, seed=10)
    shift = np.array([3.0, 4.0])  # length 5
    directions = np.random.default_rng(0).standard_normal((2, 1000))
    directions /= np.linalg.norm(directions, axis=0, keepdims=True)
    expected = np.mean(np.abs(shift @ directions))
    actual = wk.metrics.sliced_wasserstein(x, x + shift, num_projections=1000, seed=0)
    assert actual == pytest.approx(expected, rel=1e-9)
    # E|cos(theta)| = 2 / pi for uniform directions in the plane.
    assert actual == pytest.approx(5 * 2 / np.pi, rel=0.05)
    assert actual <= wk.metrics.exact_wasserstein_1(x, x + shift) + 1e-9


def test_sliced_w1_matches_quantiles_across_sizes():
    x = np.zeros((4, 1))
    y = np.ones((6, 1))
    assert wk.metrics.sliced_wasserstein(x, y, num_projections=3) == pytest.approx(
        1.0, rel=1e-12
    )


def test_distances_refuse_bad_input():
    with pytest.raises(ValueError, match="same sample size"):
        wk.metrics.frechet_distance(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="must be finite"):
        wk.metrics.exact_wasserstein_1(np.full((3, 2), np.nan), np.zeros((3, 2)))
    with pytest.raises(ValueError, match="num_projections"):
        wk.metrics.sliced_wasserstein(np.zeros((3, 2)), np.zeros((3, 2)), 0)


# ---------------------------------------------------------- mode coverage


def test_mode_coverage_counts_modes_and_off_mode_samples():
    centers = wk.datasets.toy.mode_centers(8)
    samples = np.concatenate(
        [np.repeat(centers[:3], 30, axis=0), np.full((10, 2), 5.0)]
    )
    result = wk.metrics.mode_coverage(samples, modes=8)
    assert result["modes_covered"] == 3
    assert result["off_mode_fraction"] == pytest.approx(0.1, abs=1e-12)
    assert result["radius"] == pytest.approx(3 * wk.datasets.toy.mode_std(8))


def test_real_toy_data_covers_every_mode():
    real = wk.datasets.gaussian_mixture_2d(2000, modes=8, seed=3)
    result = evaluation.toy_metrics(real, modes=8)
    assert result["modes_covered_3sigma"] == 8
    # A 2-D Gaussian leaves exp(-9/2) = 1.1% outside 3 sigma (binomial sd 0.23%).
    assert result["off_mode_fraction_3sigma"] == pytest.approx(np.exp(-4.5), abs=0.007)
    assert 0 < result["exact_w1"] < 0.1
    assert 0 < result["sliced_w1"] <= result["exact_w1"]


def test_kl_to_uniform():
    assert wk.metrics.kl_to_uniform(np.full(10, 0.1)) == pytest.approx(0, abs=1e-12)
    assert wk.metrics.kl_to_uniform(np.eye(10)[3]) == pytest.approx(np.log(10))
    with pytest.raises(ValueError, match="summing to 1"):
        wk.metrics.kl_to_uniform([0.5, 0.1])


def _constant_image_classifier():
    """Classifies an image of constant value k as class k (k = 0..9).

    Its `features` layer is the image mean; score_j = j * mean - j^2 / 2 is
    largest at the j nearest to the mean.
    """
    images = keras.Input((28, 28, 1))
    mean = keras.layers.GlobalAveragePooling2D(name="features")(images)
    dense = keras.layers.Dense(10, name="logits")
    model = keras.Model(images, dense(mean))
    classes = np.arange(10, dtype="float32")
    dense.kernel.assign(classes[None, :])
    dense.bias.assign(-(classes**2) / 2)
    return model


def test_class_histogram_with_a_known_classifier():
    labels = np.array([0] * 5 + [3] * 3 + [9] * 2)
    images = np.broadcast_to(labels[:, None, None, None], (10, 28, 28, 1))
    shares = wk.metrics.class_histogram(images, _constant_image_classifier())
    expected = np.zeros(10)
    expected[[0, 3, 9]] = [0.5, 0.3, 0.2]
    np.testing.assert_allclose(shares, expected, atol=1e-12)


def test_class_shares_count_each_sample_s_highest_score():
    scores = [[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [-1.0, -2.0]]
    np.testing.assert_array_equal(wk.metrics.class_shares(scores, 2), [0.5, 0.5])
    np.testing.assert_array_equal(
        wk.metrics.class_shares(np.eye(10)[[2, 2, 7, 2]]),
        [0, 0, 0.75, 0, 0, 0, 0, 0.25, 0, 0],
    )
    with pytest.raises(ValueError, match=r"num_classes=10.*shape \(4, 2\)"):
        wk.metrics.class_shares(scores)


# ------------------------------------------------------- feature networks


def test_inception_offline_fails_fast_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(feature_networks, "_WEIGHTS_HOST", ("192.0.2.1", 9))
    start = time.monotonic()
    with pytest.raises(RuntimeError, match="ImageNet weights are not in Keras' cache"):
        wk.metrics.inception_v3_features()
    assert time.monotonic() - start < 10


@pytest.mark.slow
def test_inception_features_are_2048_wide_for_grey_28x28():
    network = wk.metrics.inception_v3_features(weights=None)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 28, 28, 1))
    assert wk.metrics.features(images, network).shape == (2, 2048)


def test_shipped_classifier_gives_128_features_and_is_accurate():
    metadata = wk.presets.read_metadata("mnist_classifier", kind="classifier")
    assert metadata["test_accuracy"] >= 0.99
    network = wk.metrics.mnist_features()
    images = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1))
    assert wk.metrics.features(images, network).shape == (3, 128)
    features, scores = wk.metrics.features(
        images, wk.metrics.mnist_features(with_scores=True)
    )
    np.testing.assert_allclose(
        features, wk.metrics.features(images, network), rtol=1e-5, atol=1e-6
    )
    logits = wk.metrics.features(images, wk.metrics.mnist_classifier())
    np.testing.assert_allclose(scores, logits, rtol=1e-5, atol=1e-6)
    assert scores.shape == (3, 10)
    with pytest.raises(ValueError, match="Received: with_scores='yes'"):
        wk.metrics.mnist_features(with_scores="yes")
    floor = metadata["real_data_floor"]
    # Train vs test MNIST in these features (10,000 each): small, not zero.
    assert 0.1 < floor["frechet_distance"] < 5.0
    assert floor["num_samples"] == 10_000


# ------------------------------------------------------------- evaluation


def _tiny_mnist(path, n=40):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (n // 2, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n // 2, dtype=np.uint8),
    }
    np.savez(path, **arrays)
    return arrays


def test_load_mnist_scales_to_the_generator_range(tmp_path):
    path = os.path.join(tmp_path, "mnist.npz")
    arrays = _tiny_mnist(path)
    (x_train, y_train), (x_test, _) = evaluation.load_mnist(path, labels=True)
    assert x_train.shape == (40, 28, 28, 1) and x_test.shape == (20, 28, 28, 1)
    assert x_train.dtype == np.float32
    np.testing.assert_allclose(
        x_train[..., 0], arrays["x_train"] / 127.5 - 1, rtol=0, atol=1e-6
    )
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    np.savez(path, x_train=arrays["x_train"])
    with pytest.raises(ValueError, match="without"):
        evaluation.load_mnist(path)


def test_mnist_metrics_with_a_known_classifier():
    labels = np.repeat(np.arange(10), 3)
    images = np.broadcast_to(labels[:, None, None, None], (30, 28, 28, 1))
    images = images.astype("float32")
    result = evaluation.mnist_metrics(images, images, _constant_image_classifier())
    assert result["class_shares"] == [0.1] * 10
    assert result["min_class_share"] == 0.1
    assert result["kl_to_uniform"] == pytest.approx(0, abs=1e-9)
    assert result["frechet_distance"] == pytest.approx(0, abs=1e-6)
    assert result["num_samples"] == 30 and result["real_samples"] == 30
    shifted = evaluation.mnist_metrics(images, images + 1, _constant_image_classifier())
    # Features are the image means: a shift of 1 moves them by 1.
    assert shifted["frechet_distance"] == pytest.approx(1.0, rel=1e-5)


def test_evaluate_generator_rejects_unknown_data():
    generator = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,), hidden_dim=4)
    with pytest.raises(ValueError, match="`data` must be one of"):
        evaluation.evaluate_generator(generator, "cifar10")


def test_evaluate_toy_preset_is_reproducible():
    first = evaluation.evaluate_preset("gaussians8_mlp_gp", num_samples=500)
    second = evaluation.evaluate_preset("gaussians8_mlp_gp", num_samples=500)
    assert first == second
    assert first["num_samples"] == 500 and first["seed"] == 0
    assert set(first) >= {"modes_covered_3sigma", "exact_w1", "sliced_w1"}


def test_cli_evaluate_prints_the_table_and_lists_presets(capsys):
    from wgan_keras import cli

    assert cli.main(["evaluate", "--preset", "gaussians8_mlp_gp", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == evaluation.evaluate_preset("gaussians8_mlp_gp")
    assert printed["num_samples"] == evaluation.TOY_SAMPLES
    assert cli.main(["evaluate", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "gaussians8_mlp_gp" in listing and "mnist_classifier" not in listing
    assert cli.main(["evaluate", "--preset", "nope"]) == 2
    assert "Unknown generator" in capsys.readouterr().err
