"""Saving a `WassersteinGAN`'s own variables: the noise stream's state too."""

import numpy as np
from keras import ops


class SeedStateSaving:
    """Saves and restores the training noise's seed state: a mix-in."""

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
