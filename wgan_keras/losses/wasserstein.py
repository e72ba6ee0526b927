"""Critic and generator objectives, written once in `keras.ops`.

Every function takes critic scores of shape `(batch, 1)` or `(batch,)` and
returns a scalar. The critic *minimizes* its loss; the generator minimizes its.
"""

from keras import ops


def wasserstein_estimate(real_scores, fake_scores):
    """The critic's estimate of W1: `E[f(real)] - E[f(fake)]`.

    Args:
        real_scores: critic scores of real samples.
        fake_scores: critic scores of generated samples.

    Returns:
        A scalar. With a 1-Lipschitz critic it is a lower bound of the
        Wasserstein-1 distance, tight at the optimal critic.

    Reference:
        Arjovsky et al., "Wasserstein GAN", 2017, eq. (3).
    """
    return ops.mean(real_scores) - ops.mean(fake_scores)


def critic_wasserstein_loss(real_scores, fake_scores):
    """Critic loss `E[f(fake)] - E[f(real)]`: the negative Wasserstein estimate.

    Reference:
        Arjovsky et al., "Wasserstein GAN", 2017, Algorithm 1.
    """
    return ops.mean(fake_scores) - ops.mean(real_scores)


def generator_wasserstein_loss(fake_scores):
    """Generator loss `-E[f(G(z))]`.

    Reference:
        Arjovsky et al., "Wasserstein GAN", 2017, Algorithm 1.
    """
    return -ops.mean(fake_scores)


def critic_hinge_loss(real_scores, fake_scores):
    """Hinge critic loss `E[relu(1 - f(real))] + E[relu(1 + f(fake))]`.

    Reference:
        Miyato et al., "Spectral Normalization for Generative Adversarial
        Networks", 2018, eq. (16); Lim & Ye, "Geometric GAN", 2017.
    """
    return ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(ops.relu(1.0 + fake_scores))


def generator_hinge_loss(fake_scores):
    """Generator loss for the hinge objective: `-E[f(G(z))]` (Miyato et al. 2018)."""
    return -ops.mean(fake_scores)


def interpolate(real, fake, eps):
    """Points on straight lines between paired real and fake samples.

    Args:
        real: real samples, shape `(batch, ...)`.
        fake: generated samples, same shape.
        eps: interpolation weights `~ U[0, 1]`, shape `(batch, 1, ..., 1)`.

    Returns:
        `eps * real + (1 - eps) * fake`.

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", 2017,
        Algorithm 1, line 6.
    """
    return eps * real + (1.0 - eps) * fake


def gradient_norm(gradients):
    """Per-sample L2 norm over all non-batch axes, shape `(batch,)`."""
    axes = tuple(range(1, len(gradients.shape)))
    # The tiny constant keeps the norm's own gradient finite at zero.
    return ops.sqrt(ops.sum(ops.square(gradients), axis=axes) + 1e-12)


def gradient_penalty(gradients):
    """Two-sided penalty `E[(||grad f(x_hat)||_2 - 1)^2]`.

    Args:
        gradients: gradients of the critic's score with respect to its inputs at
            the interpolated points, shape `(batch, ...)`.

    Returns:
        A scalar; multiply by `gp_weight` (lambda = 10 in the paper).

    Example:
        For a linear critic `f(x) = w . x` the input gradient is `w` for every
        sample, so the penalty is exactly `(||w|| - 1) ** 2`.

    Reference:
        Gulrajani et al., "Improved Training of Wasserstein GANs", 2017, eq. (3).
    """
    return ops.mean(ops.square(gradient_norm(gradients) - 1.0))
