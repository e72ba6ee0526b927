import numpy as np
import pytest

import wgan_keras as wk


@pytest.mark.parametrize("modes", [8, 25])
def test_mixture_samples_sit_on_their_modes(modes):
    x = wk.datasets.gaussian_mixture_2d(20_000, modes=modes, seed=0)
    assert x.shape == (20_000, 2) and x.dtype == np.float32
    covered, off = wk.datasets.covered_modes(x, modes=modes)
    assert covered == modes
    # Within 3 std per axis of a 2-D Gaussian: 1 - exp(-4.5) = 98.9% inside.
    assert 0.005 < off < 0.02


def test_eight_centers_lie_on_the_reference_circle():
    centers = wk.datasets.mode_centers(8)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2 / 1.414, rtol=1e-6)


def test_collapsed_samples_cover_one_mode():
    x = np.repeat(wk.datasets.mode_centers(8)[:1], 100, axis=0)
    assert wk.datasets.covered_modes(x) == (1, 0.0)


def test_swiss_roll_is_seeded():
    a = wk.datasets.swiss_roll(500, seed=3)
    np.testing.assert_array_equal(a, wk.datasets.swiss_roll(500, seed=3))
    assert a.shape == (500, 2) and np.abs(a).max() < 3


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="`modes` must be 8 or 25. Received: modes=5"):
        wk.datasets.gaussian_mixture_2d(10, modes=5)
    with pytest.raises(ValueError, match="`n` must be an int >= 1. Received: n=0"):
        wk.datasets.gaussian_mixture_2d(0)
    with pytest.raises(ValueError, match=r"non-empty \(n, 2\) array"):
        wk.datasets.covered_modes(np.zeros((3, 3)))
