"""Resident memory of this process, from /proc (Linux)."""


def _status_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"/proc/self/status has no {field}")


def current_rss_mb():
    """Resident memory now, in MiB."""
    return _status_mb("VmRSS")


def peak_rss_mb():
    """Peak resident memory of this program, in MiB.

    `VmHWM` of this process image. `getrusage`'s `ru_maxrss` would carry over
    the parent's peak across `exec`, so a benchmark worker would report its
    parent's peak where that is larger.
    """
    return _status_mb("VmHWM")
