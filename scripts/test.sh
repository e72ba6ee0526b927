#!/usr/bin/env bash
# Runs the test suite once per Keras backend: tensorflow, jax and torch by
# default, or the backends named as arguments. Installs everything first.
# pytest-xdist runs the tests in one worker per core (at most 4), each with
# its share of the cores for its thread pools: most of the suite's time is
# single-threaded Python (subprocesses, eager steps), so two workers on two
# cores take about half the time of one, while two PyTorch workers with two
# OpenMP threads each were still running after one worker's whole time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(tensorflow jax torch)
export TF_CPP_MIN_LOG_LEVEL=3
cores=$(nproc)
workers=$((cores < 4 ? cores : 4))
threads=$((cores / workers))
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$threads}"
export TF_NUM_INTRAOP_THREADS="${TF_NUM_INTRAOP_THREADS:-$threads}"
# JAX compiles every train step with XLA, and most tests compile the same few
# small programs: a compilation cache shared by the workers and the processes
# they start, fresh for each run and removed after it, compiles each once
# (test_wasserstein_gan.py on JAX: 153 s without it, 107 s with it, one core).
# An entry another process is still writing reads as a miss, with a warning:
# JAX then compiles, so the cache can only save time.
jax_cache=$(mktemp -d -t wgan-keras-jax-cache.XXXXXX)
trap 'rm -rf "$jax_cache"' EXIT
export JAX_COMPILATION_CACHE_DIR="$jax_cache"
export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS=0
export JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES=0
for backend in "${backends[@]}"; do
  echo "=== KERAS_BACKEND=$backend"
  KERAS_BACKEND=$backend .venv/bin/python -m pytest tests -q -p no:cacheprovider \
    -n "$workers" --dist worksteal --durations=15
done
