"""The FID Inception-v3: the 2015-12-05 network every published FID uses.

TF-GAN, pytorch-fid, clean-fid, torch-fidelity, StudioGAN and Mimicry compute
FID with the Inception graph of 2015-12-05, whose weights and layers differ
from Keras' ImageNet Inception-v3: 1,008 classes, and pooling branches that
average without the padded zeros (and a max pool in the last block). This is
pytorch-fid's `FIDInceptionA/C/E` network written in Keras, so it runs on every
backend, with pytorch-fid's resize to 299x299 (bilinear, half-pixel centres,
no antialiasing) in front.
"""

import hashlib
import os

import keras
import numpy as np
from keras import layers, ops

from wgan_keras._utils.downloads import can_reach, keras_cache
from wgan_keras._utils.torch_files import load_state_dict
from wgan_keras.metrics.feature_networks import InceptionV3Features

FID_WEIGHTS = "pt_inception-2015-12-05"
FID_WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth"
FID_WEIGHTS_URL = (
    "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
    + FID_WEIGHTS_FILE
)
# torch.hub's convention: the file name carries its SHA-256's first 8 digits.
FID_WEIGHTS_SHA256_PREFIX = "6726825d"
_WEIGHTS_HOST = ("github.com", 443)
INPUT_SIZE = 299
NUM_CLASSES = 1008


def fid_inception(weights=FID_WEIGHTS, include_logits=False):
    """The FID Inception-v3: images in [-1, 1] -> its 2048 pool features.

    Images of any size (RGB, or grey repeated to RGB) are resized to 299x299
    as pytorch-fid does, then run through the 2015-12-05 Inception graph's
    layers up to its final average pool: the features whose Frechet distance
    is the FID. Its logits (1,008 classes) give the Inception Score
    (`wk.metrics.inception_score`).

    Args:
        weights: `"pt_inception-2015-12-05"` (default): pytorch-fid's weights
            from Keras' cache (`~/.keras/models/pt_inception-2015-12-05-
            6726825d.pth`), downloaded there on a connected machine; a path
            to that file; a dict of arrays keyed as its state dict (say, one
            converted from the TensorFlow graph); or None for random weights
            (tests). Files are hash-checked (their SHA-256 must begin with
            6726825d) and read without PyTorch, by an unpickler that accepts
            tensors only.
        include_logits: also return the 1,008 logits: the model then has
            outputs `[features, logits]`.

    Returns:
        A `keras.Model` from `(n, height, width, 1 or 3)` images in [-1, 1].

    Example:

    ```python
    inception = wk.metrics.fid_inception("pt_inception-2015-12-05-6726825d.pth")
    fid = wk.metrics.frechet_distance(real, fake, inception)
    ```

    Reference:
        Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge
        to a Local Nash Equilibrium", NeurIPS 2017 (FID); Seitzer,
        pytorch-fid (`pytorch_fid/inception.py`).
    """
    if not isinstance(include_logits, bool):
        raise ValueError(
            "`include_logits` must be True or False. "
            f"Received: include_logits={include_logits!r}"
        )
    state = None if weights is None else _state_dict(weights)
    network = _network()
    if state is not None:
        _load(network, state)
    if not include_logits:
        network = keras.Model(network.input, network.outputs[0], name=network.name)
    return InceptionV3Features(network, name="fid_inception")


def _network():
    """The graph from 299x299 RGB in [-1, 1] to `[features, logits]`."""
    images = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="images")
    x = _stem(images)
    for name, pool_features in (("Mixed_5b", 32), ("Mixed_5c", 64), ("Mixed_5d", 64)):
        x = _inception_a(x, name, pool_features)
    x = _inception_b(x, "Mixed_6a")
    for name, c7 in (("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160)):
        x = _inception_c(x, name, c7)
    x = _inception_c(x, "Mixed_6e", 192)
    x = _inception_d(x, "Mixed_7a")
    x = _inception_e(x, "Mixed_7b", pool="average")
    x = _inception_e(x, "Mixed_7c", pool="max")
    features = layers.GlobalAveragePooling2D(name="pool3")(x)
    logits = layers.Dense(NUM_CLASSES, name="fc")(features)
    return keras.Model(images, [features, logits], name="fid_inception_v3")


# --------------------------------------------------------------- the layers


def _conv(x, name, filters, kernel, strides=1, padding="valid"):
    """torchvision's BasicConv2d: convolution without bias, batch norm, ReLU."""
    # Named after pytorch-fid's modules, "." as "__" (PyTorch's modules take
    # no dots): `Mixed_5b__branch1x1__conv` holds `Mixed_5b.branch1x1.conv`.
    name = name.replace(".", "__")
    x = layers.Conv2D(
        filters, kernel, strides, padding, use_bias=False, name=f"{name}__conv"
    )(x)
    x = layers.BatchNormalization(epsilon=1e-3, name=f"{name}__bn")(x)
    return layers.ReLU()(x)


def _average_pool(x):
    # A 3x3 average over the values inside the image only, as TensorFlow's
    # "SAME" pooling (pytorch-fid: `count_include_pad=False`). Dividing by the
    # same average of ones gives that on every backend, whatever its pooling
    # does at the border.
    ones = ops.ones_like(x[..., :1])
    pool = layers.AveragePooling2D(3, strides=1, padding="same")
    return pool(x) / pool(ones)


def _stem(x):
    x = _conv(x, "Conv2d_1a_3x3", 32, 3, strides=2)
    x = _conv(x, "Conv2d_2a_3x3", 32, 3)
    x = _conv(x, "Conv2d_2b_3x3", 64, 3, padding="same")
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _conv(x, "Conv2d_3b_1x1", 80, 1)
    x = _conv(x, "Conv2d_4a_3x3", 192, 3)
    return layers.MaxPooling2D(3, strides=2)(x)


def _inception_a(x, name, pool_features):
    branch1x1 = _conv(x, f"{name}.branch1x1", 64, 1)
    branch5x5 = _conv(x, f"{name}.branch5x5_1", 48, 1)
    branch5x5 = _conv(branch5x5, f"{name}.branch5x5_2", 64, 5, padding="same")
    double = _conv(x, f"{name}.branch3x3dbl_1", 64, 1)
    double = _conv(double, f"{name}.branch3x3dbl_2", 96, 3, padding="same")
    double = _conv(double, f"{name}.branch3x3dbl_3", 96, 3, padding="same")
    pool = _conv(_average_pool(x), f"{name}.branch_pool", pool_features, 1)
    return layers.Concatenate()([branch1x1, branch5x5, double, pool])


def _inception_b(x, name):
    branch3x3 = _conv(x, f"{name}.branch3x3", 384, 3, strides=2)
    double = _conv(x, f"{name}.branch3x3dbl_1", 64, 1)
    double = _conv(double, f"{name}.branch3x3dbl_2", 96, 3, padding="same")
    double = _conv(double, f"{name}.branch3x3dbl_3", 96, 3, strides=2)
    pool = layers.MaxPooling2D(3, strides=2)(x)
    return layers.Concatenate()([branch3x3, double, pool])


def _inception_c(x, name, c7):
    branch1x1 = _conv(x, f"{name}.branch1x1", 192, 1)
    branch7x7 = _conv(x, f"{name}.branch7x7_1", c7, 1)
    branch7x7 = _conv(branch7x7, f"{name}.branch7x7_2", c7, (1, 7), padding="same")
    branch7x7 = _conv(branch7x7, f"{name}.branch7x7_3", 192, (7, 1), padding="same")
    double = _conv(x, f"{name}.branch7x7dbl_1", c7, 1)
    for i, (kernel, filters) in enumerate(
        (((7, 1), c7), ((1, 7), c7), ((7, 1), c7), ((1, 7), 192)), start=2
    ):
        double = _conv(double, f"{name}.branch7x7dbl_{i}", filters, kernel, 1, "same")
    pool = _conv(_average_pool(x), f"{name}.branch_pool", 192, 1)
    return layers.Concatenate()([branch1x1, branch7x7, double, pool])


def _inception_d(x, name):
    branch3x3 = _conv(x, f"{name}.branch3x3_1", 192, 1)
    branch3x3 = _conv(branch3x3, f"{name}.branch3x3_2", 320, 3, strides=2)
    branch7x7 = _conv(x, f"{name}.branch7x7x3_1", 192, 1)
    branch7x7 = _conv(branch7x7, f"{name}.branch7x7x3_2", 192, (1, 7), padding="same")
    branch7x7 = _conv(branch7x7, f"{name}.branch7x7x3_3", 192, (7, 1), padding="same")
    branch7x7 = _conv(branch7x7, f"{name}.branch7x7x3_4", 192, 3, strides=2)
    pool = layers.MaxPooling2D(3, strides=2)(x)
    return layers.Concatenate()([branch3x3, branch7x7, pool])


def _split_3x3(x, name):
    """The (1, 3) and (3, 1) convolutions side by side."""
    a = _conv(x, f"{name}a", 384, (1, 3), padding="same")
    b = _conv(x, f"{name}b", 384, (3, 1), padding="same")
    return layers.Concatenate()([a, b])


def _inception_e(x, name, pool):
    branch1x1 = _conv(x, f"{name}.branch1x1", 320, 1)
    branch3x3 = _conv(x, f"{name}.branch3x3_1", 384, 1)
    branch3x3 = _split_3x3(branch3x3, f"{name}.branch3x3_2")
    double = _conv(x, f"{name}.branch3x3dbl_1", 448, 1)
    double = _conv(double, f"{name}.branch3x3dbl_2", 384, 3, padding="same")
    double = _split_3x3(double, f"{name}.branch3x3dbl_3")
    # The 2015-12-05 graph's last block max-pools where the paper averages.
    if pool == "max":
        pooled = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    else:
        pooled = _average_pool(x)
    pooled = _conv(pooled, f"{name}.branch_pool", 192, 1)
    return layers.Concatenate()([branch1x1, branch3x3, double, pooled])


# -------------------------------------------------------------- the weights


def _state_dict(weights):
    """The weights as a dict of numpy arrays keyed as pytorch-fid's state dict."""
    if isinstance(weights, dict):
        return {key: np.asarray(value) for key, value in weights.items()}
    if weights == FID_WEIGHTS:
        weights = _cached_weights()
    if not isinstance(weights, (str, os.PathLike)) or not os.path.isfile(weights):
        raise ValueError(
            f"`weights` must be {FID_WEIGHTS!r}, the path of pytorch-fid's "
            f"{FID_WEIGHTS_FILE}, a dict of arrays or None. Received: "
            f"weights={weights!r}, which is none of those (no such file)"
        )
    with open(weights, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    if not digest.startswith(FID_WEIGHTS_SHA256_PREFIX):
        raise ValueError(
            f"`weights` must be pytorch-fid's {FID_WEIGHTS_FILE}, whose SHA-256 "
            f"begins with {FID_WEIGHTS_SHA256_PREFIX}. Received: {weights!r} with "
            f"SHA-256 {digest}"
        )
    return load_state_dict(weights)


def _cached_weights():
    cached = keras_cache("models", FID_WEIGHTS_FILE)
    if os.path.isfile(cached):
        return cached
    if not can_reach(_WEIGHTS_HOST):
        raise RuntimeError(
            f"The FID Inception weights are not in Keras' cache and "
            f"{_WEIGHTS_HOST[0]} is unreachable. Download {FID_WEIGHTS_URL} on a "
            f"connected machine and copy it to {cached}, or pass its path as "
            f"`weights`. Received: weights={FID_WEIGHTS!r}, no {cached}"
        )
    return keras.utils.get_file(
        FID_WEIGHTS_FILE, FID_WEIGHTS_URL, cache_subdir="models"
    )


def _load(network, state):
    """Assigns pytorch-fid's tensors to the layers named after them."""
    used = set()
    for layer in network.layers:
        module = layer.name.replace("__", ".")
        if isinstance(layer, layers.Conv2D):
            keys = ["weight"]
        elif isinstance(layer, layers.BatchNormalization):
            keys = ["weight", "bias", "running_mean", "running_var"]
        elif isinstance(layer, layers.Dense):
            keys = ["weight", "bias"]
        else:
            continue
        values = [_tensor(state, f"{module}.{key}") for key in keys]
        if isinstance(layer, layers.Conv2D):
            # torch (out, in, height, width) -> Keras (height, width, in, out)
            values[0] = values[0].transpose(2, 3, 1, 0)
        elif isinstance(layer, layers.Dense):
            values[0] = values[0].T
        used.update(f"{module}.{key}" for key in keys)
        layer.set_weights(values)
    unused = {k for k in state if not k.endswith("num_batches_tracked")} - used
    if unused:
        raise ValueError(
            "`weights` must hold the FID Inception's tensors only. Received: "
            f"{len(unused)} others, e.g. {sorted(unused)[:3]}"
        )


def _tensor(state, key):
    if key not in state:
        raise ValueError(
            f"`weights` must hold every tensor of pytorch-fid's FID Inception. "
            f"Received: weights without {key!r}"
        )
    return state[key]


def inception_score(logits, splits=10):
    """The Inception Score of samples from their classifier logits.

    `exp(E_x[KL(p(y|x) || p(y))])` within each of `splits` equal parts of the
    samples, as in Salimans et al.'s code: the mean and standard deviation
    over the parts. With `fid_inception(..., include_logits=True)` the logits
    are the 2015-12-05 graph's 1,008.

    Args:
        logits: `(n, classes)` array.
        splits: int >= 1, parts to score separately; at most `n`.

    Returns:
        `(mean, std)` floats.

    Example:

    ```python
    inception = wk.metrics.fid_inception(include_logits=True)
    _, logits = wk.metrics.features(fake, inception)
    score, spread = wk.metrics.inception_score(logits)
    ```

    Reference:
        Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016.
    """
    logits = np.asarray(logits, "float64")
    if logits.ndim != 2 or len(logits) == 0:
        raise ValueError(
            "`logits` must be a non-empty (n, classes) array. Received: logits "
            f"of shape {logits.shape}"
        )
    if (
        not isinstance(splits, int)
        or isinstance(splits, bool)
        or not (1 <= splits <= len(logits))
    ):
        raise ValueError(
            f"`splits` must be an int in [1, {len(logits)}] (the number of "
            f"samples). Received: splits={splits!r}"
        )
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    scores = []
    for part in np.array_split(log_p, splits):
        log_marginal = np.log(np.exp(part).mean(axis=0))
        kl = (np.exp(part) * (part - log_marginal)).sum(axis=1).mean()
        scores.append(np.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))
