"""Feature networks for the Frechet and kernel distances.

- `mnist_classifier()` / `mnist_features()`: a small CNN trained by this
  project on MNIST (`scripts/train_mnist_classifier.py`), shipped in
  `saved_models/mnist_classifier/`: the default for 28x28 grey images, in the
  spirit of TF-GAN's MNIST Frechet distance.
- `inception_v3_features()`: Keras' ImageNet Inception-v3's 2048-d pool
  features, when Keras can get its weights; not comparable with published FIDs.
- `fid_inception()` (`fid_inception.py`): the 2015-12-05 Inception that
  published FIDs use.
"""

import os

import keras
from keras import ops

from wgan_keras._utils.downloads import GOOGLE_STORAGE, can_reach, keras_cache

CLASSIFIER = "mnist_classifier"
CLASSIFIER_FILE = "classifier.keras"
FEATURES_LAYER = "features"
INCEPTION_WEIGHTS = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
_WEIGHTS_HOST = GOOGLE_STORAGE  # where keras.applications downloads from


def mnist_classifier():
    """The shipped MNIST classifier: 28x28x1 images in [-1, 1] -> 10 logits.

    Hash-checked and loaded in Keras' safe mode, like the generators. Its
    test accuracy is in `wk.presets.read_metadata("mnist_classifier",
    kind="classifier")`.

    Example:

    ```python
    logits = wk.metrics.mnist_classifier()(images)  # (n, 10)
    ```
    """
    from wgan_keras.presets.presets import load_preset_model

    return load_preset_model(CLASSIFIER, CLASSIFIER_FILE, kind="classifier")


def mnist_features(classifier=None, with_scores=False):
    """The classifier's penultimate layer: images -> 128 features.

    Args:
        classifier: an MNIST classifier with a layer named `"features"`;
            default the shipped `mnist_classifier()`.
        with_scores: bool; also output the classifier's class scores, so one
            pass over the images gives both.

    Example:

    ```python
    features, scores = wk.metrics.features(
        images, wk.metrics.mnist_features(with_scores=True)
    )  # (n, 128), (n, 10)
    ```
    """
    if not isinstance(with_scores, bool):
        raise ValueError(
            "`with_scores` must be True or False. "
            f"Received: with_scores={with_scores!r}"
        )
    classifier = classifier or mnist_classifier()
    features = classifier.get_layer(FEATURES_LAYER).output
    if with_scores:
        return keras.Model(
            classifier.input,
            [features, classifier.output],
            name="mnist_features_and_scores",
        )
    return keras.Model(classifier.input, features, name="mnist_features")


class InceptionV3Features(keras.Model):
    """Resizes images to 299x299 RGB, then an Inception-v3 (`inception`).

    The resize is pytorch-fid's `F.interpolate(mode="bilinear",
    align_corners=False)`: bilinear, half-pixel centres, no antialiasing.
    """

    def __init__(self, inception, **kwargs):
        super().__init__(**kwargs)
        self.inception = inception

    def call(self, images, training=False):
        images = ops.convert_to_tensor(images, "float32")
        images = ops.image.resize(
            images, (299, 299), interpolation="bilinear", antialias=False
        )
        if images.shape[-1] == 1:
            images = ops.repeat(images, 3, axis=-1)
        # Inception-v3 takes [-1, 1], the range of the generators' images.
        return self.inception(images, training=False)


def inception_v3_features(weights="imagenet"):
    """Inception-v3 pool features for FID: images in [-1, 1] -> 2048 features.

    Images of any size with 1 or 3 channels are resized to 299x299 (bilinear)
    and grey ones repeated to RGB. The ImageNet weights come from Keras'
    cache or are downloaded by `keras.applications` on a connected machine;
    offline, this fails within seconds with a `RuntimeError` that says where
    to put the file.

    Args:
        weights: `"imagenet"`, or None for random weights (tests).

    Returns:
        A `keras.Model` taking `(n, height, width, channels)` images.

    Example:

    ```python
    fid = wk.metrics.frechet_distance(real, fake, wk.metrics.inception_v3_features())
    ```

    Reference:
        Szegedy et al., "Rethinking the Inception Architecture for Computer
        Vision", CVPR 2016; Heusel et al. 2017 (FID).
    """
    cached = keras_cache("models", INCEPTION_WEIGHTS)
    if (
        weights == "imagenet"
        and not os.path.exists(cached)
        and not can_reach(_WEIGHTS_HOST)
    ):
        raise RuntimeError(
            "Inception-v3's ImageNet weights are not in Keras' cache and "
            f"{_WEIGHTS_HOST[0]} is unreachable, so the FID network cannot be "
            f"built here. Copy {INCEPTION_WEIGHTS} from a connected machine "
            "(keras.applications.InceptionV3(include_top=False) downloads it) to "
            f"{cached}, or pass another `feature_network`. Received: no {cached}"
        )
    inception = keras.applications.InceptionV3(
        include_top=False, weights=weights, pooling="avg", input_shape=(299, 299, 3)
    )
    return InceptionV3Features(inception, name="inception_v3_features")
