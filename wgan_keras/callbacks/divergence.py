"""`StopOnDivergence` and `DivergenceError`, which live beside the model.

`WassersteinGAN.fit` puts a `StopOnDivergence` first among its callbacks, so
the check belongs to `wgan_keras.models`; this module keeps the names where
users find them, `wk.callbacks`.
"""

from wgan_keras.models.divergence import (  # noqa: F401
    DivergenceError,
    StopOnDivergence,
)
