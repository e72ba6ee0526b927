import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from helpers import tiny_toy_gan, to_numpy, toy_data, weights

import wgan_keras as wk


def trained_gan(cls=wk.WGANGP, critic_kwargs=None, **kwargs):
    keras.utils.set_random_seed(0)
    gan = tiny_toy_gan(cls, critic_kwargs, seed=5, **kwargs)
    gan.compile()
    gan.fit(toy_data(16 * 5 * 2), batch_size=16, shuffle=False, verbose=0)
    return gan


@pytest.mark.parametrize(
    "cls, critic_kwargs, kwargs",
    [
        (wk.WGAN, {}, {"clip_value": 0.02}),
        (wk.WGANGP, {}, {"gp_weight": 5.0}),
        (wk.SNWGAN, {"spectral_norm": True}, {"loss": "hinge"}),
    ],
)
def test_whole_gan_round_trips_with_both_optimizers(
    tmp_path, cls, critic_kwargs, kwargs
):
    gan = trained_gan(cls, critic_kwargs, **kwargs)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is cls
    assert loaded.get_config() == gan.get_config()
    for a, b in zip(weights(gan), weights(loaded)):
        np.testing.assert_array_equal(a, b)
    for name in ("critic_optimizer", "generator_optimizer"):
        original, restored = getattr(gan, name), getattr(loaded, name)
        assert type(restored) is type(original)
        for a, b in zip(original.variables, restored.variables):
            np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    assert int(to_numpy(loaded.critic_optimizer.iterations)) == 10
    assert int(to_numpy(loaded.generator_optimizer.iterations)) == 2
    np.testing.assert_array_equal(loaded.generate(8, seed=0), gan.generate(8, seed=0))


def test_fit_continues_where_it_stopped(tmp_path):
    gan = trained_gan()
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    more = toy_data(16 * 5 * 2, seed=1)
    gan.fit(more, batch_size=16, shuffle=False, verbose=0)
    loaded.fit(more, batch_size=16, shuffle=False, verbose=0)
    assert int(to_numpy(loaded.generator_optimizer.iterations)) == 4
    # Same weights, optimizer moments and noise state: the same next steps.
    for a, b in zip(weights(gan), weights(loaded)):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def test_generator_alone_saves_and_loads(tmp_path):
    gan = trained_gan()
    path = str(tmp_path / "generator.keras")
    gan.generator.save(path)
    generator = keras.saving.load_model(path)
    z = np.random.default_rng(0).normal(size=(4, 2)).astype("float32")
    np.testing.assert_allclose(
        to_numpy(generator(z)), to_numpy(gan.generator(z)), rtol=1e-6
    )


CROSS_BACKEND = textwrap.dedent(
    """
    import sys
    import keras
    import numpy as np
    import wgan_keras  # registers the classes
    gan = keras.saving.load_model(sys.argv[1])
    np.save(sys.argv[2], gan.generate(16, seed=0))
    print(int(keras.ops.convert_to_numpy(gan.generator_optimizer.iterations)))
    """
)


@pytest.mark.slow
def test_file_saved_here_loads_under_the_other_backends(tmp_path):
    gan = trained_gan(wk.SNWGAN, {"spectral_norm": True})
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    expected = gan.generate(16, seed=0)
    others = [b for b in ("tensorflow", "jax", "torch") if b != keras.config.backend()]
    for other in others:
        out = str(tmp_path / f"{other}.npy")
        env = dict(os.environ, KERAS_BACKEND=other, TF_CPP_MIN_LOG_LEVEL="3")
        result = subprocess.run(
            [sys.executable, "-c", CROSS_BACKEND, path, out],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        assert result.stdout.strip().splitlines()[-1] == "2"
        np.testing.assert_allclose(np.load(out), expected, rtol=1e-5, atol=1e-5)
