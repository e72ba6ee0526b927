"""argparse types that refuse out-of-range numbers while parsing, by name.

argparse then reports, before any work, `argument --batch_size: must be an
int >= 1. Received: 0`.
"""

import argparse


def _int_at_least(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < minimum:
            raise argparse.ArgumentTypeError(
                f"must be an int >= {minimum}. Received: {text}"
            )
        return value

    parse.__name__ = f"int >= {minimum}"
    return parse


positive_int = _int_at_least(1)
non_negative_int = _int_at_least(0)
