"""A backup resumes only the run it came from, and is never lost when refused.

Each refusal is checked to come before any step, to name what differs or
what is wrong, and to leave every file of the backup as it was.
"""

import json
import os

import keras
import numpy as np
import pytest
from helpers import tiny_toy_gan, to_numpy, toy_data

import wgan_keras as wk

METADATA = "training_metadata.json"


def backed_up_run(folder, cls=wk.WGANGP, batch_size=16, samples=320, **kwargs):
    """A run interrupted after 3 steps of its first epoch: a mid-epoch backup."""
    gan = tiny_toy_gan(cls=cls, critic_steps=2, seed=0, **kwargs)
    gan.compile()
    backup = wk.callbacks.BackupAndRestore(folder, save_freq=3, delete_checkpoint=False)

    class Interrupt(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 3:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gan.fit(
            toy_data(samples),
            batch_size=batch_size,
            callbacks=[backup, Interrupt()],
            verbose=0,
        )
    return gan


def snapshot(folder):
    return {name: (folder / name).read_bytes() for name in os.listdir(folder)}


def steps_done(gan):
    return int(to_numpy(gan.generator_optimizer.iterations))


def refused(folder, message, cls=wk.WGANGP, batch_size=16, samples=320, **kwargs):
    """A fresh run on `folder` is refused with `message`; nothing changed."""
    before = snapshot(folder)
    gan = tiny_toy_gan(cls=cls, critic_steps=2, seed=0, **kwargs)
    gan.compile()
    backup = wk.callbacks.BackupAndRestore(folder, save_freq=3, delete_checkpoint=True)
    with pytest.raises(ValueError, match=message):
        gan.fit(toy_data(samples), batch_size=batch_size, callbacks=[backup], verbose=0)
    assert steps_done(gan) == 0
    assert snapshot(folder) == before  # kept, byte for byte


def test_another_batch_size_is_refused(tmp_path):
    backed_up_run(tmp_path)
    refused(
        tmp_path,
        r"comes from another run: steps_per_epoch 10 in the backup, 5 now; "
        r"batch_size 16 in the backup, 32 now.*It is kept",
        batch_size=32,
    )


def test_more_samples_are_refused(tmp_path):
    backed_up_run(tmp_path)
    refused(tmp_path, r"samples 320 in the backup, 640 now", samples=640)


def test_another_method_is_refused(tmp_path):
    backed_up_run(tmp_path, cls=wk.WGANGP)
    refused(tmp_path, r"model 'WGANGP' in the backup, 'WGAN' now", cls=wk.WGAN)


def test_another_architecture_is_refused(tmp_path):
    backed_up_run(tmp_path)
    refused(
        tmp_path,
        r"critic 10 weights \(881 parameters\) in the backup, 8 weights "
        r"\(609 parameters\) now",
        critic_kwargs={"num_hidden_layers": 3},
    )


def test_a_step_beyond_the_data_is_refused(tmp_path):
    backed_up_run(tmp_path)
    path = tmp_path / METADATA
    metadata = json.loads(path.read_text())
    metadata["step"] = 12  # an epoch has 10 steps
    del metadata["run"]  # as a backup that recorded no run would be
    path.write_text(json.dumps(metadata))
    refused(tmp_path, r"resumes at step 12 of epoch 1, but an epoch of this run has 10")


@pytest.mark.parametrize(
    "damage, message",
    [
        ("truncate_weights", r"backup-000000-000000003\.weights\.h5: its weights "),
        ("garbage_weights", r"backup-000000-000000003\.weights\.h5: its weights "),
        ("garbage_metadata", r"training_metadata\.json: it is not readable JSON"),
        ("metadata_without_weights", r"it must hold epoch, step and weights"),
        ("missing_weights", r"the weights file 'backup-000000-000000003\.weights"),
    ],
)
def test_a_damaged_backup_is_refused_with_its_path(tmp_path, damage, message):
    backed_up_run(tmp_path)
    weights = tmp_path / "backup-000000-000000003.weights.h5"
    metadata = tmp_path / METADATA
    if damage == "truncate_weights":
        weights.write_bytes(weights.read_bytes()[:1000])
    elif damage == "garbage_weights":
        weights.write_bytes(b"not an hdf5 file" * 100)
    elif damage == "garbage_metadata":
        metadata.write_bytes(b'{"epoch": 0, "st')
    elif damage == "metadata_without_weights":
        metadata.write_text(json.dumps({"epoch": 0, "step": 3}))
    else:
        weights.unlink()
    refused(tmp_path, f"{message}.*Nothing was deleted")


def test_the_compiled_learning_rate_wins_over_the_backups(tmp_path):
    backed_up_run(tmp_path)  # compiled with the default 1e-4
    gan = tiny_toy_gan(critic_steps=2, seed=0)
    gan.compile(
        critic_optimizer=keras.optimizers.Adam(1e-5),
        generator_optimizer=keras.optimizers.Adam(2e-5),
    )
    rates = []

    class Rates(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            rates.append(
                (
                    float(to_numpy(self.model.critic_optimizer.learning_rate)),
                    float(to_numpy(self.model.generator_optimizer.learning_rate)),
                )
            )

    backup = wk.callbacks.BackupAndRestore(tmp_path, save_freq=3)
    gan.fit(toy_data(320), batch_size=16, callbacks=[backup, Rates()], verbose=0)
    assert steps_done(gan) == 10  # resumed at step 3 of 10
    np.testing.assert_allclose(rates, [(1e-5, 2e-5)] * 10, rtol=1e-6)


def test_keep_holds_the_newest_backups(tmp_path):
    gan = tiny_toy_gan(critic_steps=2, seed=0)
    gan.compile()
    backup = wk.callbacks.BackupAndRestore(
        tmp_path, save_freq=2, delete_checkpoint=False, keep=3
    )
    gan.fit(toy_data(320), batch_size=16, callbacks=[backup], verbose=0)
    assert sorted(os.listdir(tmp_path)) == [
        "backup-000000-000000006.weights.h5",
        "backup-000000-000000008.weights.h5",
        "backup-000001-000000000.weights.h5",
        METADATA,
    ]
    newest = json.loads((tmp_path / METADATA).read_text())
    assert (newest["epoch"], newest["step"]) == (1, 0)
    with pytest.raises(
        ValueError, match="`keep` must be an int >= 1. Received: keep=0"
    ):
        wk.callbacks.BackupAndRestore(tmp_path, keep=0)


def test_an_unwritable_backup_dir_is_refused_before_any_step(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    gan = tiny_toy_gan(critic_steps=2)
    gan.compile()
    backup = wk.callbacks.BackupAndRestore(blocker / "backup", save_freq=3)
    with pytest.raises(ValueError, match=r"`backup_dir` must be a folder that can be"):
        gan.fit(toy_data(320), batch_size=16, callbacks=[backup], verbose=0)
    assert steps_done(gan) == 0
