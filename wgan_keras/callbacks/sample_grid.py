"""`SampleGrid`: the generator's samples of one fixed latent batch, per epoch."""

import glob
import math
import os

import keras
import numpy as np
from keras import ops
from PIL import Image

from wgan_keras._utils.files import check_writable_folder
from wgan_keras._utils.labels import checked_labels
from wgan_keras._utils.validation import validate_int
from wgan_keras.models.sampling import MAX_GRID_CLASSES, class_grid_inputs
from wgan_keras.visualization import image_grid, scatter_plot


class SampleGrid(keras.callbacks.Callback):
    """Writes a grid PNG of samples from one fixed latent batch every few epochs.

    The latent batch is drawn once from `numpy.random.default_rng(seed)`, so the
    grids of a run (and of runs on other backends) show the same `z` and the
    eye follows each sample as training goes on. Samples are made in inference
    mode and mapped from [-1, 1] to 0..255. Files are named
    `grid_epoch_0001.png`, ... (they sort by epoch); at the end of training
    `grid.gif` animates all grids in the folder, one frame per epoch. Samples
    that are 2-D points (the toys) are drawn as a scatter plot instead, on
    axes fixed by the first plot.

    A conditional GAN's grid has one row per class (`classes`, by default
    every class up to the first 20), the same latent vectors in every row, so
    each column shows one `z` drawn as each class.

    Args:
        directory: folder for the PNGs and the GIF.
        every_n_epochs: int >= 1.
        num_samples: int >= 1; the grid is `ceil(sqrt(num_samples))` wide.
        seed: int, seeds the fixed latent batch.
        animate: bool, write `grid.gif` at the end of training.
        classes: a conditional GAN's classes to draw, one row each; None for
            `range(min(num_classes, 20))`.

    Example:

    ```python
    gan.fit(images, epochs=20, callbacks=[wk.callbacks.SampleGrid("grids")])
    ```
    """

    def __init__(
        self,
        directory,
        every_n_epochs=1,
        num_samples=64,
        seed=0,
        animate=True,
        classes=None,
    ):
        super().__init__()
        validate_int("every_n_epochs", every_n_epochs)
        validate_int("num_samples", num_samples)
        self.directory = os.fspath(directory)
        self.every_n_epochs = every_n_epochs
        self.num_samples = num_samples
        self.seed = seed
        self.animate = animate
        self.classes = None if classes is None else [int(c) for c in classes]
        self.last_path = None
        self._extent = None

    def latent_batch(self, latent_dim):
        """The fixed `(num_samples, latent_dim)` batch that every grid shows."""
        return (
            np.random.default_rng(self.seed)
            .standard_normal((self.num_samples, latent_dim))
            .astype("float32")
        )

    def on_train_begin(self, logs=None):
        shape = tuple(self.model.sample_shape)
        if len(shape) != 3 and shape != (2,):
            raise ValueError(
                "`SampleGrid` draws images (H, W, C) or 2-D points. Received: a "
                f"generator whose samples have shape {shape}"
            )
        check_writable_folder("directory", self.directory)
        num_classes = self.model.num_classes
        if num_classes is not None and self.classes is not None:
            checked_labels(self.classes, num_classes, name="classes")

    def grid_classes(self):
        """`(classes, columns)` of a conditional GAN's grid: a row per class."""
        num_classes = self.model.num_classes
        classes = self.classes or list(range(min(num_classes, MAX_GRID_CLASSES)))
        return classes, math.ceil(self.num_samples / len(classes))

    def grid(self):
        """The current grid (or scatter plot of 2-D samples) as a PIL image."""
        gan = self.model
        z = self.latent_batch(gan.latent_dim)
        columns = None
        if gan.num_classes is not None:
            classes, columns = self.grid_classes()
            z = class_grid_inputs(z[:columns], classes)
        samples = ops.convert_to_numpy(gan.sampling_generator(z, training=False))
        if samples.ndim == 2:
            if self._extent is None:
                self._extent = 1.05 * float(np.nanmax(np.abs(samples))) or 1.0
            return scatter_plot(samples, extent=self._extent)
        return image_grid(samples, columns=columns)

    def path_for(self, epoch):
        return os.path.join(self.directory, f"grid_epoch_{epoch + 1:04d}.png")

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        os.makedirs(self.directory, exist_ok=True)
        self.last_path = self.path_for(epoch)
        self.grid().save(self.last_path)

    def on_train_end(self, logs=None):
        if self.animate:
            self.write_animation()

    def write_animation(self, duration_ms=250):
        """Writes `grid.gif` from every `grid_epoch_*.png` in the folder."""
        paths = sorted(glob.glob(os.path.join(self.directory, "grid_epoch_*.png")))
        if not paths:
            return None
        frames = []
        for path in paths:
            with Image.open(path) as image:
                frames.append(image.convert("RGB"))  # one palette per frame
        path = os.path.join(self.directory, "grid.gif")
        frames[0].save(
            path,
            save_all=True,
            append_images=frames[1:],
            duration=duration_ms,
            loop=0,
        )
        return path
