"""A WGAN-GP run for the reliability tests to kill, then to resume.

    python train_child.py BACKUP_DIR OUT.npz [--kill_at N] [--kill_in_backup_at N]

Trains the tiny 2-D WGAN-GP of the tests for 3 epochs of 5 steps (seeded),
with `wk.callbacks.BackupAndRestore(BACKUP_DIR, save_freq=2)`. `--kill_at N`
sends itself SIGKILL after generator step N (its backups written);
`--kill_in_backup_at N` dies by SIGKILL halfway through writing the backup of
step N. A run that finishes writes every weight and optimizer variable, the
noise state and the step counter to OUT.npz.
"""

import argparse
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from helpers import tiny_toy_gan, toy_data  # noqa: E402

import wgan_keras as wk  # noqa: E402

EPOCHS = 3
STEPS_PER_EPOCH = 5
CRITIC_STEPS = 2
BATCH = 64


def generator_step(gan):
    return int(keras.ops.convert_to_numpy(gan.generator_optimizer.iterations))


def die():
    os.kill(os.getpid(), signal.SIGKILL)


class KillAfterStep(keras.callbacks.Callback):
    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_end(self, batch, logs=None):
        if generator_step(self.model) == self.step:
            die()


def kill_while_saving(gan, step):
    """Makes `gan.save_weights` die halfway through the file of `step`."""
    save_weights = gan.save_weights

    def save_or_die(path, *args, **kwargs):
        if generator_step(gan) != step:
            return save_weights(path, *args, **kwargs)
        with open(path, "wb") as f:
            f.write(b"\x89HDF\r\n\x1a\n" + os.urandom(4096))  # a torn write
            f.flush()
        die()

    gan.save_weights = save_or_die


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("backup_dir")
    parser.add_argument("out")
    parser.add_argument("--kill_at", type=int)
    parser.add_argument("--kill_in_backup_at", type=int)
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    gan = tiny_toy_gan(critic_steps=CRITIC_STEPS, seed=0)
    gan.compile()
    callbacks = [
        wk.callbacks.BackupAndRestore(
            args.backup_dir, save_freq=2, delete_checkpoint=False
        )
    ]
    if args.kill_at is not None:
        callbacks.append(KillAfterStep(args.kill_at))
    if args.kill_in_backup_at is not None:
        kill_while_saving(gan, args.kill_in_backup_at)
    data = toy_data(BATCH * CRITIC_STEPS * STEPS_PER_EPOCH, seed=0)
    gan.fit(data, batch_size=BATCH, epochs=EPOCHS, callbacks=callbacks, verbose=0)
    state = {
        v.path.replace("/", "__"): keras.ops.convert_to_numpy(v)
        for v in gan.weights + gan.optimizer.variables
    }
    state["seed_state"] = keras.ops.convert_to_numpy(gan.seed_generator.state)
    np.savez(args.out, **state)


if __name__ == "__main__":
    main()
