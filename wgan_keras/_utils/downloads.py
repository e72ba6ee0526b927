"""A quick reachability probe for hosts that datasets and weights come from.

Without a network, tensorflow-datasets and `keras.utils.get_file` retry for
minutes before they fail. `can_reach` decides in seconds (DNS and TCP, in a
thread so a stuck resolver cannot block the caller), so offline use fails
fast with a message that says what to do instead.
"""

import os
import socket
import threading

GOOGLE_STORAGE = ("storage.googleapis.com", 443)
PROBE_TIMEOUT_S = 3.0


def keras_cache(subdirectory, file):
    """Where Keras caches a downloaded `file`: `$KERAS_HOME` or `~/.keras`.

    Args:
        subdirectory: `"models"` (weights) or `"datasets"`, as Keras uses them.
        file: the file name.
    """
    home = os.environ.get("KERAS_HOME") or os.path.join(
        os.path.expanduser("~"), ".keras"
    )
    return os.path.join(home, subdirectory, file)


def can_reach(host_port=GOOGLE_STORAGE, timeout=PROBE_TIMEOUT_S):
    """Whether a TCP connection to `(host, port)` opens within `timeout` s."""
    result = []

    def probe():
        try:
            socket.create_connection(host_port, timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result and result[0])
