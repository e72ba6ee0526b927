"""A run killed with SIGKILL resumes from its backup and ends as if never killed.

Each test runs `train_child.py` in subprocesses on the current backend: once
uninterrupted, then killed (mid-epoch, or in the middle of writing a backup)
and run again with the same command. The resumed run must end with exactly
the weights, optimizer states, step counter and noise state of the
uninterrupted one: same data order, same noise, no step done twice or lost.
"""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "train_child.py")
TOTAL_STEPS = 15  # train_child.py: 3 epochs of 5 generator steps


def run_child(backup_dir, out, *flags):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(
        [sys.executable, CHILD, str(backup_dir), str(out), *flags],
        env=env,
        capture_output=True,
        text=True,
    )


def finished(backup_dir, out, *flags):
    result = run_child(backup_dir, out, *flags)
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(np.load(out))


@pytest.fixture(scope="module")
def uninterrupted_run(tmp_path_factory):
    """The uninterrupted run: its backup folder and its final state."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    return folder / "backup", finished(folder / "backup", folder / "state.npz")


@pytest.fixture
def uninterrupted(uninterrupted_run):
    return uninterrupted_run[1]


def assert_same_state(actual, expected):
    assert sorted(actual) == sorted(expected)
    for key in expected:
        np.testing.assert_array_equal(actual[key], expected[key], err_msg=key)


def committed_backup(backup_dir):
    """Where the committed backup resumes (the run it records aside)."""
    with open(os.path.join(backup_dir, "training_metadata.json")) as f:
        metadata = json.load(f)
    assert metadata.pop("run")["model"] == "WGANGP"
    return metadata


def test_sigkill_mid_epoch_resumes_at_the_backup_step_exactly(tmp_path, uninterrupted):
    backup = tmp_path / "backup"
    killed = run_child(backup, tmp_path / "state.npz", "--kill_at", "9")
    assert killed.returncode == -signal.SIGKILL
    assert not (tmp_path / "state.npz").exists()
    # Backups every 2 steps: the last one is step 8, 3 steps into epoch 2.
    assert committed_backup(backup) == {
        "epoch": 1,
        "step": 3,
        "weights": "backup-000001-000000003.weights.h5",
    }
    resumed = finished(backup, tmp_path / "state.npz")
    # Critic and generator optimizers: 2 critic updates per generator update.
    assert int(resumed["adam__iteration"]) == 2 * TOTAL_STEPS
    assert int(resumed["adam_1__iteration"]) == TOTAL_STEPS
    assert_same_state(resumed, uninterrupted)


def test_sigkill_while_writing_a_backup_keeps_the_previous_one(tmp_path, uninterrupted):
    backup = tmp_path / "backup"
    killed = run_child(backup, tmp_path / "state.npz", "--kill_in_backup_at", "8")
    assert killed.returncode == -signal.SIGKILL
    # The torn temporary file of step 8 is there; the commit still names step 6's.
    assert len(list(backup.glob(".backup-000001-000000003-*.weights.h5"))) == 1
    assert committed_backup(backup)["weights"] == "backup-000001-000000001.weights.h5"
    resumed = finished(backup, tmp_path / "state.npz")
    assert_same_state(resumed, uninterrupted)
    # Later backups swept the torn file away; the last marks the end.
    assert sorted(os.listdir(backup)) == [
        "backup-000003-000000000.weights.h5",
        "training_metadata.json",
    ]


def test_a_finished_run_run_again_trains_no_further(tmp_path, uninterrupted_run):
    backup, uninterrupted = uninterrupted_run
    assert committed_backup(backup) == {
        "epoch": 3,
        "step": 0,
        "weights": "backup-000003-000000000.weights.h5",
    }
    again = finished(backup, tmp_path / "again.npz")
    assert_same_state(again, uninterrupted)
