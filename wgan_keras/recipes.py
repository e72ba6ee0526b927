"""The papers' recipes as a resumable run: what `wgan-keras train` and the
examples share.

- `build_gan`: DCGAN networks for 28x28, 32x32 or 64x64 images, or the
  WGAN-GP toy code's MLPs for 2-D data, with each method's constraint and
  batch-norm choices;
- `labelled_images`: images and labels for a conditional run;
- `schedule`: a run's steps, epochs and width, checked before any work;
- `fit_run`: `fit` with backups (rerun to resume), Wasserstein curves, sample
  grids, TensorBoard and `run.json`, then `gan.keras` and `generator.keras`.
"""

import json
import os
import time

import keras
import numpy as np

from wgan_keras import callbacks as wk_callbacks
from wgan_keras import datasets, networks
from wgan_keras._utils.files import staged_file, write_text
from wgan_keras.models import SNWGAN, WGAN, WGANGP
from wgan_keras.presets import describe_networks

METHODS = {"clip": WGAN, "gp": WGANGP, "sn": SNWGAN}
NETWORKS = ("dcgan", "resnet")
GRID_SAMPLES = 64


def build_gan(
    method,
    sample_shape,
    latent_dim=128,
    dim=64,
    critic_steps=5,
    seed=None,
    ema_decay=None,
    gp_weight=None,
    num_classes=None,
    network="dcgan",
):
    """A WGAN with the papers' networks for `sample_shape`, not yet compiled.

    Images get the DCGAN networks at width `dim`, or with `network="resnet"`
    the CIFAR-10 ResNets (critic width `dim`; the generator's `dim` for
    WGAN-GP and `2 * dim` for SN-GAN, so `dim=128` is each paper's; SN-GAN's
    critic sums its map and has no output bias); 2-D points the WGAN-GP toy
    code's MLPs (4 hidden layers of 512). Per method:

    - `"gp"`: no batch norm anywhere (batch statistics break the penalty);
    - `"clip"`: batch norm in both image networks (the WGAN reference code);
    - `"sn"`: spectral normalization in the critic, batch norm in the image
      generator.

    With `num_classes` (images only) the GAN is class-conditional: the
    generator's batch norms are per class, and the critic projects the labels
    (`"clip"`, `"sn"`; SN-GAN's projection critic) or, for `"gp"`, classifies
    them in an auxiliary head (ACGAN, the WGAN-GP paper's conditional run),
    since a penalty's critic takes no batch norm but the projection would
    work as well.

    Args:
        method: `"clip"` (WGAN), `"gp"` (WGAN-GP) or `"sn"` (SN-GAN).
        sample_shape: `(2,)`, or an image shape `(28, 28, 1)`, `(32, 32, 3)`,
            `(64, 64, 3)`.
        latent_dim: noise size.
        dim: the DCGAN networks' width multiplier (images only).
        critic_steps: critic updates per generator update.
        seed: seed of the training noise.
        ema_decay: keep an EMA generator with this decay, or None.
        gp_weight: the penalty weight (`"gp"` only; default the class's 10).
        num_classes: None, or the classes of a conditional image GAN.
        network: `"dcgan"` or `"resnet"` (images only).

    Returns:
        A `wk.WGAN`, `wk.WGANGP` or `wk.SNWGAN`.

    Example:

    ```python
    gan = wk.recipes.build_gan("gp", (28, 28, 1), dim=32)
    gan.compile()
    ```

    Reference:
        Gulrajani et al. 2017, "Improved Training of Wasserstein GANs"
        (gan_mnist.py, gan_toy.py); Radford et al. 2016 (DCGAN).
    """
    if method not in METHODS:
        raise ValueError(
            f"`method` must be one of {sorted(METHODS)}. Received: method={method!r}"
        )
    extra = {}
    if gp_weight is not None:
        if method != "gp":
            raise ValueError(
                "`gp_weight` applies to method='gp' only. Received: "
                f"method={method!r}, gp_weight={gp_weight!r}"
            )
        extra["gp_weight"] = gp_weight
    if network not in NETWORKS:
        raise ValueError(
            f"`network` must be one of {NETWORKS}. Received: network={network!r}"
        )
    sample_shape = tuple(sample_shape)
    if network != "dcgan" and sample_shape == (2,):
        raise ValueError(
            "2-D samples take the MLP networks. Received: network="
            f"{network!r} with sample_shape={sample_shape}"
        )
    if num_classes is not None and sample_shape == (2,):
        raise ValueError(
            "Conditional recipes are for images. Received: num_classes="
            f"{num_classes} with sample_shape={sample_shape}"
        )
    if sample_shape == (2,):
        generator = networks.MLPGenerator(latent_dim=latent_dim, output_shape=(2,))
        critic = networks.MLPCritic(input_shape=(2,), spectral_norm=method == "sn")
    elif network == "resnet":
        sn = method == "sn"
        generator = networks.ResNetGenerator(
            latent_dim=latent_dim,
            image_shape=sample_shape,
            channels=2 * dim if sn else dim,
            num_classes=num_classes,
        )
        critic = networks.ResNetCritic(
            image_shape=sample_shape,
            channels=dim,
            spectral_norm=sn,
            pooling="sum" if sn else "mean",
            output_bias=not sn,
            num_classes=num_classes,
            conditioning="auxiliary" if method == "gp" else "projection",
        )
    else:
        generator = networks.DCGANGenerator(
            latent_dim=latent_dim,
            image_shape=sample_shape,
            dim=dim,
            # A conditional generator takes its labels through its batch norms.
            batch_norm=method != "gp" or num_classes is not None,
            num_classes=num_classes,
        )
        critic = networks.DCGANCritic(
            image_shape=sample_shape,
            dim=dim,
            spectral_norm=method == "sn",
            batch_norm=method == "clip",
            num_classes=num_classes,
            conditioning="auxiliary" if method == "gp" else "projection",
        )
    return METHODS[method](
        generator,
        critic,
        critic_steps=critic_steps,
        seed=seed,
        ema_decay=ema_decay,
        num_classes=num_classes,
        **extra,
    )


def labelled_images(source, split, count=None):
    """`(images, labels)` for a conditional run, the first `count` where given.

    Args:
        source: a `.npz` in Keras' mnist.npz layout (`x_train`, `y_train`,
            ...), or a uint8 image array (synthetic smoke data), labelled by
            index over 10 classes.
        split: `"train"` or `"test"` (`.npz` only).
        count: int or None.

    Returns:
        float32 images in [-1, 1] and int32 labels.

    Example:

    ```python
    images, labels = wk.recipes.labelled_images("mnist.npz", "train")
    ```
    """
    if not isinstance(source, str):
        images = source.astype("float32") / 127.5 - 1.0
        labels = np.arange(len(images), dtype="int32") % 10
    elif source.endswith(".npz"):
        images = datasets.read_images(source, split)
        labels = datasets.read_labels(source, split)
    else:
        raise ValueError(
            "--conditional needs labelled data: a .npz in Keras' mnist.npz "
            f"layout (x_train, y_train, ...). Received: --data={source}"
        )
    return images[:count], labels[:count]


def schedule(
    generator_steps,
    steps_per_epoch,
    dim,
    learning_rate_decay_start=None,
    smoke=False,
):
    """A run's `(generator_steps, steps_per_epoch, dim)`, checked before any work.

    Args:
        generator_steps: generator updates in all.
        steps_per_epoch: generator updates between grids, logs and backups;
            `generator_steps` must be a multiple of it.
        dim: the networks' width.
        learning_rate_decay_start: None, or the generator step from which the
            learning rates fall to 0; it must lie inside the run.
        smoke: 4 steps in epochs of 2 at width 8 instead (an installation
            check); the decay start is checked against those 4 steps.

    Returns:
        `(generator_steps, steps_per_epoch, dim)`.

    Example:

    ```python
    steps, per_epoch, dim = wk.recipes.schedule(36_000, 250, 32, 30_000)
    ```
    """
    if smoke:
        generator_steps, steps_per_epoch, dim = 4, 2, 8
    elif (
        generator_steps < 1 or steps_per_epoch < 1 or generator_steps % steps_per_epoch
    ):
        raise ValueError(
            "--generator_steps must be a positive multiple of --steps_per_epoch. "
            f"Received: --generator_steps={generator_steps}, "
            f"--steps_per_epoch={steps_per_epoch}"
        )
    start = learning_rate_decay_start
    if start is not None and not 0 <= start < generator_steps:
        raise ValueError(
            "--learning_rate_decay_start must be >= 0 and < --generator_steps "
            f"({generator_steps}). Received: --learning_rate_decay_start={start}"
        )
    return generator_steps, steps_per_epoch, dim


class RunRecord(keras.callbacks.Callback):
    """Keeps run.json (command, networks, generator steps, wall time, across resumes).

    At each epoch's end it also writes the sampling generator (the EMA one
    where there is one) to generator.keras beside run.json, so that a long run
    can be sampled, evaluated or made a preset before it ends.

    Args:
        path: the run.json to keep.
        command: the command line that started the run.
    """

    def __init__(self, path, command):
        super().__init__()
        self.path = path
        self.generator_path = os.path.join(os.path.dirname(path), "generator.keras")
        self.record = {"command": command, "wall_seconds": 0.0, "sessions": 0}
        if os.path.exists(path):
            with open(path) as f:
                self.record.update(json.load(f))
        self.record["command"] = command
        self._start = self._base = None

    def on_train_begin(self, logs=None):
        self.record["sessions"] += 1
        self.record["networks"] = describe_networks(self.model)
        self._start = time.time()
        self._base = self.record["wall_seconds"]

    def on_epoch_end(self, epoch, logs=None):
        self.record.update(
            wall_seconds=self._base + time.time() - self._start,
            generator_steps=int(
                keras.ops.convert_to_numpy(self.model.generator_optimizer.iterations)
            ),
            backend=keras.config.backend(),
            keras_version=keras.__version__,
        )
        with staged_file(self.generator_path) as tmp:
            self.model.sampling_generator.save(tmp)
        write_text(self.path, json.dumps(self.record, indent=2))


def fit_run(
    gan,
    data,
    held_out,
    steps,
    steps_per_epoch,
    output_dir,
    command,
    learning_rate_decay_start=None,
    extra_callbacks=(),
    verbose=2,
    **fit_kwargs,
):
    """Fits `gan` resumably with grids, curves, TensorBoard and backups.

    Rerunning with the same `output_dir` resumes from its backup. With
    `learning_rate_decay_start`, both learning rates fall linearly from that
    generator step to 0 at `steps`.

    Args:
        gan: a compiled `wk.WassersteinGAN`.
        data: what `fit` takes (arrays, a repeated `tf.data.Dataset`, ...).
        held_out: real samples for the held-out Wasserstein estimate.
        steps: generator updates in all.
        steps_per_epoch: generator updates between grids, logs and backups.
        output_dir: where everything goes.
        command: the command line, recorded in run.json.
        learning_rate_decay_start: None, or the generator step to decay from.
        extra_callbacks: callbacks to run before the logger (`ExactWasserstein`).
        verbose: `fit`'s verbosity (1: Keras' progress bar).
        **fit_kwargs: more arguments for `fit` (`batch_size` for arrays).

    Returns:
        `{"gan": path, "generator": path}` of the files written at the end.

    Example:

    ```python
    gan = wk.recipes.build_gan("gp", (2,), latent_dim=2)
    gan.compile()
    wk.recipes.fit_run(gan, points, held_out, 3000, 100, "outputs/toy", "demo")
    ```
    """
    backup = wk_callbacks.BackupAndRestore(
        os.path.join(output_dir, "backup"), delete_checkpoint=False
    )
    metadata = backup.read_metadata()
    if metadata:
        print(f"Resuming from {backup.backup_dir} at epoch {metadata['epoch']}.")
    callbacks = [
        backup,
        *extra_callbacks,
        wk_callbacks.WassersteinLogger(
            os.path.join(output_dir, "logs"), validation_data=held_out, every_n_steps=10
        ),
        wk_callbacks.SampleGrid(
            os.path.join(output_dir, "grids"), num_samples=GRID_SAMPLES
        ),
        wk_callbacks.TensorBoard(os.path.join(output_dir, "tensorboard")),
        RunRecord(os.path.join(output_dir, "run.json"), command),
    ]
    if learning_rate_decay_start is not None:
        print(
            "Learning rates fall linearly from generator step "
            f"{learning_rate_decay_start} to 0 at {steps}."
        )
        callbacks.append(
            wk_callbacks.LinearLearningRateDecay(learning_rate_decay_start, steps)
        )
    gan.fit(
        data,
        epochs=steps // steps_per_epoch,
        steps_per_epoch=steps_per_epoch,
        callbacks=callbacks,
        verbose=verbose,
        **fit_kwargs,
    )
    paths = {
        "gan": os.path.join(output_dir, "gan.keras"),
        "generator": os.path.join(output_dir, "generator.keras"),
    }
    for name, path in paths.items():
        model = gan if name == "gan" else gan.sampling_generator
        with staged_file(path) as tmp:  # never a half-written file
            model.save(tmp)
    for folder in ("grids", "logs", "tensorboard"):
        print(f"Wrote {os.path.join(output_dir, folder)}")
    for path in paths.values():
        print(f"Wrote {path}")
    return paths
