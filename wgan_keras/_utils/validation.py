"""Argument checks shared across the package, with Keras-style messages."""


def validate_int(name, value, minimum=1):
    """Raises unless `value` is an int (not a bool) >= `minimum`."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(
            f"`{name}` must be an int >= {minimum}. Received: {name}={value!r}"
        )


def validate_positive_float(name, value):
    """Raises unless `value` is a finite real number (not a bool) > 0."""
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not 0 < value < float("inf")
    ):
        raise ValueError(f"`{name}` must be > 0. Received: {name}={value!r}")
