"""`python -m wgan_keras.cli`, the same as `wgan-keras`."""

import sys

from wgan_keras.cli import main

sys.exit(main())
