"""Saving a `WassersteinGAN`: `.keras` files, with the noise stream's state."""

import os

import numpy as np
from keras import ops


class SeedStateSaving:
    """Saves and restores the training noise's seed state: a mix-in."""

    def save(self, filepath, overwrite=True, **kwargs):
        """`keras.Model.save`, refusing the legacy HDF5 format up front.

        A GAN holds two optimizers, which only the `.keras` format saves; the
        legacy `.h5` writer would fail halfway and leave a file that does not
        load.
        """
        name = os.fspath(filepath) if isinstance(filepath, os.PathLike) else filepath
        if isinstance(name, str) and name.lower().endswith((".h5", ".hdf5")):
            raise ValueError(
                "`filepath` must end in `.keras`: a WassersteinGAN saves both "
                "optimizers, which the legacy HDF5 format cannot hold (use "
                "`save_weights('gan.weights.h5')` for the weights alone). "
                f"Received: filepath={filepath!r}"
            )
        return super().save(filepath, overwrite=overwrite, **kwargs)

    # Keras does not save a SeedGenerator's state; the GAN saves it with its own
    # variables so that a reloaded model continues with the same noise stream.
    _SEED_STATE_KEY = "seed_generator_state"

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[self._SEED_STATE_KEY] = ops.convert_to_numpy(self.seed_generator.state)

    def load_own_variables(self, store):
        keys = list(store.keys())
        if self._SEED_STATE_KEY in keys:
            self.seed_generator.state.assign(store[self._SEED_STATE_KEY])
        values = {key: store[key] for key in keys if key != self._SEED_STATE_KEY}
        if len(values) == 1:
            # Written before `resume_steps_to_skip` (own variable "1") existed.
            values["1"] = np.zeros((), "int32")
        super().load_own_variables(values)
