"""`python -m wgan_keras`, the same as the `wgan-keras` command."""

import sys

from wgan_keras.cli import main

sys.exit(main())
