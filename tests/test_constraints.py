import numpy as np
import pytest
from keras import ops

import wgan_keras as wk


def test_weight_clip_clips_to_both_bounds():
    w = np.array([-1.0, -0.005, 0.0, 0.004, 0.5], "float32")
    clipped = ops.convert_to_numpy(wk.constraints.WeightClip(0.01)(w))
    np.testing.assert_allclose(clipped, [-0.01, -0.005, 0.0, 0.004, 0.01], rtol=1e-7)


def test_weight_clip_config_round_trips():
    clip = wk.constraints.WeightClip.from_config(
        wk.constraints.WeightClip(0.05).get_config()
    )
    assert clip.clip_value == 0.05


@pytest.mark.parametrize("value", [0, -0.01, "0.01", None])
def test_weight_clip_rejects_non_positive_values(value):
    with pytest.raises(ValueError, match="`clip_value` must be > 0. Received"):
        wk.constraints.WeightClip(value)
