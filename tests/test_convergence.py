import time

import keras
import pytest

import wgan_keras as wk


@pytest.mark.slow
def test_wgan_gp_mlp_covers_all_eight_gaussians():
    # The acceptance run: WGANGP with its defaults (gp_weight=10,
    # Adam(1e-4, 0, 0.9), 5 critic steps) and the WGAN paper's MLPs (4 x 512),
    # fit's default critic batch of 64, the WGAN-GP toy code's 2-D noise.
    keras.utils.set_random_seed(0)
    generator = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,))
    critic = wk.networks.MLPCritic(input_shape=(2,))
    gan = wk.WGANGP(generator, critic, seed=0)
    gan.compile()
    chunk, budget = 250, 4000  # generator steps
    data = wk.datasets.gaussian_mixture_2d(64 * 5 * chunk, seed=0)
    start, steps, coverage = time.time(), 0, []
    while steps < budget:
        gan.fit(data, verbose=0)
        steps += chunk
        covered, off_mode = wk.datasets.covered_modes(
            gan.generate(2000, seed=1), modes=8, radius=0.25
        )
        coverage.append(covered)
        if covered == 8:
            break
    minutes = (time.time() - start) / 60
    print(
        f"modes covered every {chunk} generator steps: {coverage} "
        f"({minutes:.1f} min; {off_mode:.0%} of samples between modes)"
    )
    assert coverage[-1] == 8, f"modes covered every {chunk} steps: {coverage}"
