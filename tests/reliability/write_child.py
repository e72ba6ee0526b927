"""Writes an export or a preset, then dies by SIGKILL while writing the next.

    python write_child.py export|preset ROOT
    python write_child.py stalled_export ROOT

`stalled_export` exports a tiny generator to ROOT/serving/m/1 and never
returns on its own: on TensorFlow its writer sleeps once its staging folder
exists, elsewhere the TensorFlow child process does the writing. The test
kills it there.

Writes version 1 of a tiny generator (its outputs on fixed noise go to
ROOT/expected.npz), then starts replacing it with another generator and sends
itself SIGKILL after the new files are written and before they are moved
into place: the moment a crash does the most harm to a non-atomic writer.
"""

import contextlib
import json
import os
import signal
import sys
import time

import keras
import numpy as np

import wgan_keras as wk
from wgan_keras import export as export_module
from wgan_keras._utils.files import staged_directory as real_staged_directory
from wgan_keras.presets import presets as presets_module


def generator(seed):
    keras.utils.set_random_seed(seed)
    return wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,), hidden_dim=8)


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def main():
    what, root = sys.argv[1], sys.argv[2]
    first, second = generator(0), generator(1)
    z = np.random.default_rng(0).standard_normal((4, 2)).astype("float32")
    np.savez(os.path.join(root, "expected.npz"), images=first.predict(z, verbose=0))
    if what == "stalled_export":
        if keras.config.backend() == "tensorflow":
            from wgan_keras.export import tensorflow_writer

            def stall(*args, **kwargs):
                time.sleep(600)

            tensorflow_writer.write = stall
        wk.export_generator(first, os.path.join(root, "serving"), model_name="m")
    elif what == "export":
        wk.export_generator(first, os.path.join(root, "serving"), model_name="m")
        write = export_module._write

        def write_then_die(*args, **kwargs):
            write(*args, **kwargs)
            die()

        export_module._write = write_then_die
        wk.export_generator(
            second, os.path.join(root, "serving"), model_name="m", overwrite=True
        )
    else:
        hashes = wk.presets.save_preset(
            first, os.path.join(root, "p"), {"version": 1}, grid=False
        )
        with open(os.path.join(root, "hashes.json"), "w") as f:
            json.dump(hashes, f)

        def staged_then_die(target, overwrite=False):
            with real_staged_directory(target, overwrite) as staging:
                yield staging
                die()  # everything is written into `staging`, not yet swapped

        presets_module.staged_directory = contextlib.contextmanager(staged_then_die)
        wk.presets.save_preset(
            second, os.path.join(root, "p"), {"version": 2}, overwrite=True
        )
    raise SystemExit("not killed")


if __name__ == "__main__":
    main()
