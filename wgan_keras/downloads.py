"""A quick reachability probe for hosts that datasets and weights come from.

Without a network, tensorflow-datasets and `keras.utils.get_file` retry for
minutes before they fail. `can_reach` decides in seconds (DNS and TCP, in a
thread so a stuck resolver cannot block the caller), so offline use fails
fast with a message that says what to do instead.
"""

import socket
import threading

GOOGLE_STORAGE = ("storage.googleapis.com", 443)
PROBE_TIMEOUT_S = 3.0


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
