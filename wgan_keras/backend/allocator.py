"""Keeping freed heap memory in the process while a GAN trains.

A train step allocates the same tensors every time: activations, gradients,
optimizer temporaries. Backends that run ops one by one (PyTorch, and every
backend outside a compiled function) take them from the C library's `malloc`.
By default glibc gives freed memory at the top of its heap back to the
operating system once more than a few megabytes are free (`M_TRIM_THRESHOLD`),
and serves blocks above a threshold that starts at 128 KiB with fresh `mmap`
pages (`M_MMAP_THRESHOLD`). Both return memory that the next step asks for
again, and every page of it then costs a page fault to map and zero: on the
2-D MLP (512x512 activations) Keras-on-PyTorch took 4,000-20,000 page faults
per step, and keeping the memory made its step 8-25% faster
(`benchmarks/README.md`).

`retain_freed_memory` keeps that memory in the process for as long as it is
entered, as the caching allocators of GPU frameworks do: the heap stops
shrinking and blocks up to 32 MiB come from the heap. On leaving, glibc's
trim threshold goes back to its dynamic value for a 32 MiB mmap threshold
(twice it, 64 MiB) and `malloc_trim` hands the free memory back, so the
process keeps after training what it would keep without it. Elsewhere than
glibc (macOS, musl) it does nothing.

`WassersteinGAN.fit` enters it for the whole of training unless the
environment sets `WGAN_KERAS_RETAIN_FREED_MEMORY=0`.
"""

import contextlib
import ctypes
import functools
import os
import platform
import threading

# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc's ceiling for the dynamic mmap threshold on 64-bit (32 MiB); the
# dynamic trim threshold is twice the mmap threshold.
MMAP_THRESHOLD = 32 * 1024 * 1024
TRIM_THRESHOLD_AFTER = 2 * MMAP_THRESHOLD
# Largest value mallopt's int parameter holds: never trim while entered.
_NEVER_TRIM = 2**31 - 1

ENVIRONMENT_VARIABLE = "WGAN_KERAS_RETAIN_FREED_MEMORY"

_lock = threading.Lock()
_depth = 0


@functools.cache  # `platform.libc_ver` reads the Python executable
def _glibc():
    """The C library when it is glibc with `mallopt`, else None."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):
        return None
    return libc


def enabled():
    """Whether `fit` retains freed memory: glibc, and not switched off.

    Returns:
        False where the C library is not glibc or the environment variable
        `WGAN_KERAS_RETAIN_FREED_MEMORY` is `0`, `false` or `no`; else True.
    """
    setting = os.environ.get(ENVIRONMENT_VARIABLE, "1").strip().lower()
    if setting in ("0", "false", "no"):
        return False
    if setting not in ("", "1", "true", "yes"):
        raise ValueError(
            f"`{ENVIRONMENT_VARIABLE}` must be 1 or 0. "
            f"Received: {ENVIRONMENT_VARIABLE}={os.environ[ENVIRONMENT_VARIABLE]!r}"
        )
    return _glibc() is not None


@contextlib.contextmanager
def retain_freed_memory():
    """Keeps freed heap memory in the process while the block runs.

    Nested and concurrent uses share one setting: the outermost exit restores
    it. Does nothing where `enabled()` is False.

    Example:

    ```python
    from wgan_keras.backend import allocator

    with allocator.retain_freed_memory():
        for batch in batches:
            train_step(batch)  # no page faults for memory freed last step
    ```

    Yields:
        True when the setting is in force, False when it is not (not glibc, or
        switched off by the environment).
    """
    global _depth
    if not enabled():
        yield False
        return
    libc = _glibc()
    with _lock:
        if _depth == 0:
            libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
            libc.mallopt(_M_TRIM_THRESHOLD, _NEVER_TRIM)
        _depth += 1
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_AFTER)
                libc.malloc_trim(0)
