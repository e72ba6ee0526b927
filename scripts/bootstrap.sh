#!/usr/bin/env bash
# Creates .venv and installs wgan-keras with every backend, from scratch.
# torch is pinned to the 2.13.0 CPU build and installed first: an open
# requirement on torch would pull several GB of CUDA packages.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
stamp=.venv/.wgan-keras-installed
want=$(cat pyproject.toml setup.py scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
pip_install() {
  # pip's notes about local index folders are noise; keep its real errors.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
    | { grep -v "^WARNING: Location '" || true; }
}
pip_install "torch==2.13.0"
# Test dependencies pinned to that torch: pytorch-fid, whose network the FID
# Inception is checked against, and torchvision 0.28.0 under it
# (tests/test_fid_inception.py says why only its Python code is used).
pip_install "torchvision==0.28.0" "pytorch-fid==0.3.0"
pip_install -e ".[jax,torch,dev]"
.venv/bin/python -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
echo "$want" > "$stamp"
