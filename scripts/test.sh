#!/usr/bin/env bash
# Runs the test suite once per Keras backend: tensorflow, jax and torch by
# default, or the backends named as arguments. Installs everything first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(tensorflow jax torch)
export TF_CPP_MIN_LOG_LEVEL=3
for backend in "${backends[@]}"; do
  echo "=== KERAS_BACKEND=$backend"
  KERAS_BACKEND=$backend .venv/bin/python -m pytest tests -q -p no:cacheprovider
done
