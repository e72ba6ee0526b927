import os
import zlib

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import pytest  # noqa: E402


def pytest_report_header(config):
    return f"keras {keras.__version__}, backend: {keras.config.backend()}"


@pytest.fixture(autouse=True)
def _fresh_keras_state(request):
    keras.backend.clear_session()
    # Each test draws its weights and noise from a seed of its own name: a
    # result does not depend on which worker ran it or what ran before, and a
    # failure replays exactly.
    keras.utils.set_random_seed(zlib.crc32(request.node.nodeid.encode()))
    yield


def pytest_collection_modifyitems(config, items):
    # Longest first: under pytest-xdist a worker starts the minutes-long tests
    # while the others share the short ones, instead of one long test ending
    # the run alone.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
