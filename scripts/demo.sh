#!/usr/bin/env bash
# Installs everything, then trains a WGAN-GP on the built-in mixture of 8
# Gaussians (no download) and writes samples, curves and the generator to
# outputs/toy/. Extra arguments go to examples/train_toy.py (--help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export TF_CPP_MIN_LOG_LEVEL=3
.venv/bin/python examples/train_toy.py "$@"
