"""Data for training: image sources as `tf.data` batches, and the 2-D toys."""

from wgan_keras.datasets.images import (  # noqa: F401
    TFDS_DATASETS,
    load_images,
    read_images,
    read_labels,
    synthetic_digits,
)
from wgan_keras.datasets.toy import (  # noqa: F401
    covered_modes,
    gaussian_mixture_2d,
    mode_centers,
    swiss_roll,
)
