"""Callbacks to watch and safeguard WGAN training."""

from wgan_keras.callbacks.backup_and_restore import BackupAndRestore  # noqa: F401
from wgan_keras.callbacks.divergence import (  # noqa: F401
    DivergenceError,
    StopOnDivergence,
)
from wgan_keras.callbacks.exact_wasserstein import (  # noqa: F401
    ExactWasserstein,
    exact_wasserstein_1,
)
from wgan_keras.callbacks.frechet_distance import FrechetDistance  # noqa: F401
from wgan_keras.callbacks.learning_rate_decay import (  # noqa: F401
    LinearLearningRateDecay,
)
from wgan_keras.callbacks.sample_grid import SampleGrid  # noqa: F401
from wgan_keras.callbacks.tensorboard import TensorBoard  # noqa: F401
from wgan_keras.callbacks.wasserstein_logger import WassersteinLogger  # noqa: F401
