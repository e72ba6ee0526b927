"""Evaluating generators the same way every time: fixed sample counts and seeds.

`evaluate_preset(name)` (and `wgan-keras evaluate --preset NAME`) measures a
pretrained generator with `wk.metrics`; `scripts/make_preset.py` records the
same numbers in the preset's `metadata.json` and the README's table quotes
them, so anyone can reproduce them.

- MNIST (28x28 grey): 10,000 samples from noise seed 0 against the 10,000
  MNIST test images: Frechet distance and KID in the features of the shipped
  MNIST classifier, its class histogram, the histogram's KL to uniform and
  the smallest class share. The real-data floor (the same distances between
  10,000 training images and the test set) says what "perfect" reads.
- 2-D toys: 2,000 samples from noise seed 0 against 2,000 real samples (seed
  1): modes covered within 3 sigma, the share of samples off-mode, exact W1
  (POT) and sliced W1; the floor is real against real (seed 2).
"""

import os

import numpy as np

from wgan_keras import metrics
from wgan_keras._utils.downloads import GOOGLE_STORAGE, can_reach, keras_cache
from wgan_keras._utils.files import open_npz
from wgan_keras.datasets import toy
from wgan_keras.metrics.fid_inception import FID_WEIGHTS
from wgan_keras.models.sampling import generate_samples, generator_classes

MNIST_SAMPLES = 10_000
MNIST_CLASSES = 10
TOY_SAMPLES = 2_000
SEED = 0
KID_SUBSETS = 100
KID_SUBSET_SIZE = 1_000
SLICED_PROJECTIONS = 1_000
SAMPLE_BATCH = 500  # generator calls of this many samples
DATASETS = ("mnist", "gaussians8", "gaussians25")


def load_mnist(path=None, labels=False):
    """MNIST as float32 `(n, 28, 28, 1)` images in [-1, 1].

    Args:
        path: a Keras-layout `mnist.npz`; None for Keras' cached copy, or a
            download by `keras.datasets.mnist` on a connected machine.
        labels: bool, also return the labels.

    Returns:
        `(x_train, x_test)`, or `((x_train, y_train), (x_test, y_test))` with
        `labels=True`.
    """
    if path is None:
        path = _keras_mnist()
    if not os.path.isfile(path):
        raise ValueError(
            f"`path` must be a Keras-layout mnist.npz file. Received: path={path!r}"
        )
    with open_npz(path, "path") as archive:
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(archive.files)
        if missing:
            raise ValueError(
                f"`path` must hold x_train, y_train, x_test and y_test (Keras' "
                f"mnist.npz). Received: {path!r} without {sorted(missing)}"
            )
        x_train, x_test = (_scale(archive[k]) for k in ("x_train", "x_test"))
        y_train, y_test = archive["y_train"], archive["y_test"]
    if labels:
        return (x_train, y_train), (x_test, y_test)
    return x_train, x_test


def _scale(images):
    return (images.astype("float32") / 127.5 - 1.0)[..., None]


def _keras_mnist():
    cached = keras_cache("datasets", "mnist.npz")
    if os.path.isfile(cached):
        return cached
    if not can_reach(GOOGLE_STORAGE):
        raise RuntimeError(
            "MNIST is not in Keras' cache and storage.googleapis.com is "
            "unreachable, so it cannot be downloaded here. Pass the path of a "
            f"Keras-layout mnist.npz (`--data=`). Received: no {cached}"
        )
    import keras

    return keras.utils.get_file(
        "mnist.npz",
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    )


def _distances(x, y, seed):
    kid, kid_std = metrics.kernel_inception_distance(
        x,
        y,
        num_subsets=KID_SUBSETS,
        subset_size=KID_SUBSET_SIZE,
        seed=seed,
        return_std=True,
    )
    return {
        "frechet_distance": round(metrics.frechet_distance(x, y), 4),
        "kid": round(kid, 5),
        "kid_std": round(kid_std, 5),
    }


def mnist_metrics(images, test_images, classifier=None, seed=SEED, labels=None):
    """Distances to the test set and the class histogram of MNIST samples.

    Args:
        images: `(n, 28, 28, 1)` samples in [-1, 1].
        test_images: the real images to compare with (the MNIST test set).
        classifier: the feature and class network; default the shipped one.
        seed: seeds the KID subsets.
        labels: the classes a conditional generator was asked for, one per
            image; adds `label_accuracy` (the classifier's agreement with
            them) and `min_class_accuracy`.

    Returns:
        A dict of floats (and the ten class shares).
    """
    classifier = classifier or metrics.mnist_classifier()
    # One pass over each image set gives the features and the class scores.
    features_and_scores = metrics.mnist_features(classifier, with_scores=True)
    x, scores = metrics.features(images, features_and_scores)
    y, _ = metrics.features(test_images, features_and_scores)
    results = _distances(x, y, seed)
    shares = metrics.class_shares(scores)
    results.update(
        class_shares=[round(float(s), 4) for s in shares],
        min_class_share=round(float(shares.min()), 4),
        kl_to_uniform=round(metrics.kl_to_uniform(shares), 4),
        num_samples=len(images),
        real_samples=len(test_images),
    )
    if labels is not None:
        correct = np.argmax(scores, axis=-1) == np.asarray(labels)
        per_class = [correct[labels == c].mean() for c in np.unique(labels)]
        results.update(
            label_accuracy=round(float(correct.mean()), 4),
            min_class_accuracy=round(float(min(per_class)), 4),
        )
    return results


def real_floor(train_images, test_images, features, num_samples=MNIST_SAMPLES):
    """The distances between real training and test images: the best score.

    Uses the first `num_samples` training images against the test images.
    """
    floor = _distances(
        metrics.features(train_images[:num_samples], features),
        metrics.features(test_images, features),
        SEED,
    )
    floor["num_samples"] = min(num_samples, len(train_images))
    return floor


def toy_metrics(samples, modes=8, seed=SEED):
    """Mode coverage, exact W1 and sliced W1 of 2-D samples, with the floor.

    Real samples come from `gaussian_mixture_2d(n, modes, seed=seed + 1)`; the
    floor compares them with another real draw (`seed + 2`).
    """
    n = len(samples)
    real = toy.gaussian_mixture_2d(n, modes=modes, seed=seed + 1)
    other = toy.gaussian_mixture_2d(n, modes=modes, seed=seed + 2)
    coverage = metrics.mode_coverage(samples, modes=modes)
    return {
        "modes": modes,
        "modes_covered_3sigma": int(coverage["modes_covered"]),
        "off_mode_fraction_3sigma": round(float(coverage["off_mode_fraction"]), 4),
        "mode_radius_3sigma": round(coverage["radius"], 4),
        "exact_w1": round(metrics.exact_wasserstein_1(real, samples), 4),
        "exact_w1_real_vs_real": round(metrics.exact_wasserstein_1(real, other), 4),
        "sliced_w1": round(
            metrics.sliced_wasserstein(real, samples, SLICED_PROJECTIONS, seed), 4
        ),
        "sliced_w1_real_vs_real": round(
            metrics.sliced_wasserstein(real, other, SLICED_PROJECTIONS, seed), 4
        ),
        "num_samples": n,
    }


def evaluate_generator(generator, data, num_samples=None, seed=SEED, mnist_path=None):
    """Measures a generator against its data with this module's protocol.

    A conditional MNIST generator is asked for each class equally often (1,000
    of each of the 10,000), and the shipped classifier's agreement with the
    requested classes is reported as `label_accuracy`.

    Args:
        generator: a `keras.Model` from `(batch, latent_dim)` noise (or
            `[z, labels]`).
        data: `"mnist"`, `"gaussians8"` or `"gaussians25"`.
        num_samples: int, default 10,000 (MNIST) or 2,000 (toys).
        seed: int, seeds the noise (and the KID subsets).
        mnist_path: a Keras-layout mnist.npz for the real images.

    Returns:
        A dict of the metrics, with `num_samples` and `seed`.

    Example:

    ```python
    wk.evaluation.evaluate_generator(gan.generator, "gaussians8")
    ```
    """
    if data not in DATASETS:
        raise ValueError(f"`data` must be one of {DATASETS}. Received: data={data!r}")
    if data == "mnist":
        count = num_samples or MNIST_SAMPLES
        labels = None
        if generator_classes(generator) is not None:
            # As many of each class as the count allows, in class order.
            labels = np.arange(count) * MNIST_CLASSES // count
        samples = generate_samples(generator, count, seed, SAMPLE_BATCH, labels=labels)
        _, test_images = load_mnist(mnist_path)
        results = mnist_metrics(samples, test_images, seed=seed, labels=labels)
    else:
        samples = generate_samples(
            generator, num_samples or TOY_SAMPLES, seed, SAMPLE_BATCH
        )
        results = toy_metrics(samples, modes=int(data[len("gaussians") :]), seed=seed)
    results["seed"] = seed
    return results


def evaluate_preset(name, num_samples=None, seed=SEED, mnist_path=None):
    """`evaluate_generator` on a pretrained generator, with its data.

    Example:

    ```python
    wk.evaluation.evaluate_preset("gaussians8_mlp_gp")["modes_covered_3sigma"]
    ```
    """
    from wgan_keras.presets import load_generator, read_metadata

    data = read_metadata(name)["data"]
    return evaluate_generator(load_generator(name), data, num_samples, seed, mnist_path)


FEATURE_NETWORKS = ("mnist", "fid_inception")


def fid_inception_network(fid_weights=None):
    """`(network, protocol)` of the FID Inception, with its logits.

    The protocol says what the features are and how images reach them.
    `fid_weights` is `fid_inception`'s `weights` (default its cached file).
    """
    weights = fid_weights or FID_WEIGHTS
    network = metrics.fid_inception(weights, include_logits=True)
    return network, {
        "feature_network": "fid_inception: Inception 2015-12-05 pool3 (2048), "
        f"weights {os.path.basename(os.fspath(weights))}",
        "resize": "bilinear to 299x299, half-pixel centres, no antialiasing; "
        "grey repeated to RGB",
    }


def evaluate_samples(samples, reference, network="mnist", fid_weights=None, seed=SEED):
    """Frechet distance and KID of samples against reference images.

    With the FID Inception the Frechet distance is the standard FID, and the
    Inception Score of the samples comes with it; with the MNIST classifier,
    the samples' class shares (`mnist_metrics`).

    Args:
        samples: `(n, H, W, C)` images in [-1, 1].
        reference: `(m, H, W, C)` real images in [-1, 1].
        network: `"mnist"` or `"fid_inception"`.
        fid_weights: `wk.metrics.fid_inception`'s `weights`.
        seed: seeds the KID subsets.

    Returns:
        A dict of the metrics, with the sample counts and the protocol.

    Example:

    ```python
    wk.evaluation.evaluate_samples(fake, test_images, "fid_inception")
    ```
    """
    if network not in FEATURE_NETWORKS:
        raise ValueError(
            f"`feature_network` must be one of {FEATURE_NETWORKS}. "
            f"Received: feature_network={network!r}"
        )
    kid = {"kid_subsets": KID_SUBSETS, "kid_seed": seed}
    if network == "mnist":
        # One pass of the classifier gives the features and the class shares.
        results = mnist_metrics(samples, reference, seed=seed)
        protocol = {
            "feature_network": "mnist: the shipped MNIST classifier's features",
            "resize": "none: 28x28 grey images",
        }
        return {**results, "protocol": {**protocol, **kid}}
    model, protocol = fid_inception_network(fid_weights)
    x, logits = metrics.features(samples, model)
    y, _ = metrics.features(reference, model)
    results = _distances(x, y, seed)
    score, spread = metrics.inception_score(logits, splits=min(10, len(logits)))
    results.update(
        inception_score=round(score, 4),
        inception_score_std=round(spread, 4),
        num_samples=len(samples),
        real_samples=len(reference),
        protocol={**protocol, **kid},
    )
    return results


def format_table(results):
    """The metrics as a two-column text table."""
    rows = [(key, _format(value)) for key, value in results.items()]
    width = max(len(key) for key, _ in rows)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in rows)


def _format(value):
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_format(v)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.5g}"
    if isinstance(value, list):
        return " ".join(_format(v) for v in value)
    return str(value)
