"""`wgan_keras.backend.allocator`: freed memory stays mapped while training only."""

import resource

import keras
import numpy as np
import pytest

from tests.helpers import tiny_toy_gan, toy_data
from wgan_keras.backend import allocator

MIB = 1024 * 1024
PAGE = resource.getpagesize()
BLOCKS = 128  # of 1 MiB each

glibc_only = pytest.mark.skipif(
    allocator._glibc() is None, reason="mallopt and malloc_trim are glibc's"
)


class RecordingLibc:
    """Stands in for glibc: records mallopt and malloc_trim calls."""

    def __init__(self):
        self.calls = []

    def mallopt(self, parameter, value):
        self.calls.append(("mallopt", parameter, value))
        return 1

    def malloc_trim(self, pad):
        self.calls.append(("malloc_trim", pad))
        return 1


@pytest.fixture
def recording_libc(monkeypatch):
    libc = RecordingLibc()
    monkeypatch.setattr(allocator, "_glibc", lambda: libc)
    monkeypatch.delenv(allocator.ENVIRONMENT_VARIABLE, raising=False)
    return libc


def resident_bytes():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def touched_blocks():
    """BLOCKS arrays of 1 MiB, every page written."""
    blocks = [np.empty(MIB // 8, dtype="float64") for _ in range(BLOCKS)]
    for block in blocks:
        block.fill(1.0)
    return blocks


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


@glibc_only
def test_freed_memory_is_reused_without_page_faults_and_returned_on_exit(
    monkeypatch,
):
    monkeypatch.delenv(allocator.ENVIRONMENT_VARIABLE, raising=False)
    pages = BLOCKS * MIB // PAGE
    with allocator.retain_freed_memory() as retained:
        assert retained is True
        blocks = touched_blocks()
        peak = resident_bytes()
        del blocks
        # Freed, yet still resident: the heap did not shrink.
        assert peak - resident_bytes() < 0.1 * BLOCKS * MIB
        faults = minor_faults()
        blocks = touched_blocks()
        # The same memory again: 32,768 pages written, next to none faulted.
        assert minor_faults() - faults < 0.02 * pages
        del blocks
        held = resident_bytes()
    # Leaving hands the free memory back.
    assert held - resident_bytes() > 0.9 * BLOCKS * MIB


def test_settings_in_force_while_entered_and_restored_once(recording_libc):
    with allocator.retain_freed_memory() as outer:
        with allocator.retain_freed_memory() as inner:
            assert outer is inner is True
        entered = [
            ("mallopt", allocator._M_MMAP_THRESHOLD, 32 * MIB),
            ("mallopt", allocator._M_TRIM_THRESHOLD, 2**31 - 1),
        ]
        # The inner exit leaves the outer's setting alone.
        assert recording_libc.calls == entered
    assert recording_libc.calls == entered + [
        ("mallopt", allocator._M_TRIM_THRESHOLD, 64 * MIB),
        ("malloc_trim", 0),
    ]
    assert allocator._depth == 0


def test_restored_when_the_block_raises(recording_libc):
    with pytest.raises(RuntimeError, match="boom"):
        with allocator.retain_freed_memory():
            raise RuntimeError("boom")
    assert recording_libc.calls[-1] == ("malloc_trim", 0)
    assert allocator._depth == 0


@pytest.mark.parametrize("setting", ["0", "false", "No"])
def test_environment_switches_it_off(recording_libc, monkeypatch, setting):
    monkeypatch.setenv(allocator.ENVIRONMENT_VARIABLE, setting)
    assert not allocator.enabled()
    with allocator.retain_freed_memory() as retained:
        assert retained is False
    assert recording_libc.calls == []


def test_bad_environment_value_is_named(recording_libc, monkeypatch):
    monkeypatch.setenv(allocator.ENVIRONMENT_VARIABLE, "sometimes")
    with pytest.raises(ValueError, match="WGAN_KERAS_RETAIN_FREED_MEMORY='sometimes'"):
        with allocator.retain_freed_memory():
            pass
    assert recording_libc.calls == []


def test_does_nothing_without_glibc(monkeypatch):
    monkeypatch.setattr(allocator, "_glibc", lambda: None)
    monkeypatch.delenv(allocator.ENVIRONMENT_VARIABLE, raising=False)
    assert not allocator.enabled()
    with allocator.retain_freed_memory() as retained:
        assert retained is False


def test_fit_trains_inside_it_and_leaves_it(recording_libc):
    depths = []
    record = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: depths.append(allocator._depth)
    )
    gan = tiny_toy_gan(seed=0)
    gan.compile()
    gan.fit(toy_data(640), batch_size=32, epochs=1, callbacks=[record], verbose=0)
    assert depths == [1, 1, 1, 1]
    assert allocator._depth == 0
    assert recording_libc.calls[-1] == ("malloc_trim", 0)
    assert len(recording_libc.calls) == 4
