"""The plain-PyTorch WGAN loop that `train_step.py` measures Keras against.

What a user would otherwise write: the same networks as `wk.networks`
(DCGAN 28x28 at width 64 with latent 128, or the papers' MLP with 4 hidden
layers of 512 on 2-D data), the same optimizers, `critic_steps=5`, the real
batches already in memory, no logging inside the loop. Run by `train_step.py`;
alone it prints one JSON line:

    python benchmarks/torch_reference.py --method=gp --network=dcgan28
    python benchmarks/torch_reference.py --method=gp --autocast   # bfloat16
"""

import json
import statistics
import time

import torch
import turns
from absl import app, flags
from memory import peak_rss_mb
from torch import nn

FLAGS = flags.FLAGS
flags.DEFINE_enum("method", "gp", ["clip", "gp", "sn"], "Lipschitz method.")
flags.DEFINE_enum("network", "dcgan28", ["dcgan28", "mlp2d"], "Networks.")
flags.DEFINE_integer("steps", 10, "Generator steps per timed repeat.")
flags.DEFINE_integer("repeats", 3, "Timed repeats (median); one more warms up.")
flags.DEFINE_integer("batch_size", None, "Critic batch (64 DCGAN, 256 MLP).")
flags.DEFINE_bool(
    "autocast",
    False,
    "Run the networks under torch.autocast('cpu', dtype=torch.bfloat16), as a "
    "PyTorch user trains in bfloat16; the losses stay float32.",
)
flags.DEFINE_bool(
    "take_turns", False, "Time each repeat when told to (`turns.py`, train_step.py)."
)

CRITIC_STEPS = 5


def dcgan28(method):
    """DCGANGenerator(128, (28, 28, 1), dim=64) and DCGANCritic((28, 28, 1))."""
    bn = method != "gp"  # clip: BN in both networks; sn: BN in the generator

    def up(cin, cout, last=False):
        # 5x5 stride 2 "same": 2x the size (output_padding 1).
        conv = nn.ConvTranspose2d(
            cin, cout, 5, 2, 2, output_padding=1, bias=last or not bn
        )
        return (
            [conv]
            if last
            else [conv, *([nn.BatchNorm2d(cout)] if bn else []), nn.ReLU()]
        )

    class Crop(nn.Module):  # 8x8 -> 7x7 on the way to 28
        def forward(self, x):
            return x[:, :, :7, :7]

    first = up(256, 128)
    generator = nn.Sequential(
        nn.Linear(128, 4 * 4 * 256, bias=not bn),
        *([nn.BatchNorm1d(4 * 4 * 256)] if bn else []),
        nn.ReLU(),
        nn.Unflatten(1, (256, 4, 4)),
        first[0],
        Crop(),
        *first[1:],
        *up(128, 64),
        *up(64, 1, last=True),
        nn.Tanh(),
    )
    sn = nn.utils.parametrizations.spectral_norm if method == "sn" else (lambda m: m)
    critic_bn = method == "clip"
    layers, cin = [], 1
    for i, cout in enumerate((64, 128, 256)):
        layers.append(sn(nn.Conv2d(cin, cout, 5, 2, 2)))
        if critic_bn and i > 0:
            layers.append(nn.BatchNorm2d(cout))
        layers.append(nn.LeakyReLU(0.2))
        cin = cout
    critic = nn.Sequential(*layers, nn.Flatten(), sn(nn.Linear(256 * 4 * 4, 1)))
    return generator, critic, 128, (1, 28, 28)


def mlp2d(method):
    """MLPGenerator(2, (2,)) and MLPCritic((2,)): 4 hidden layers of 512."""
    sn = nn.utils.parametrizations.spectral_norm if method == "sn" else (lambda m: m)

    def mlp(cin, cout, wrap):
        layers = []
        for _ in range(4):
            layers += [wrap(nn.Linear(cin, 512)), nn.ReLU()]
            cin = 512
        return nn.Sequential(*layers, wrap(nn.Linear(512, cout)))

    return mlp(2, 2, lambda m: m), mlp(2, 1, sn), 2, (2,)


def optimizers(method, generator, critic):
    if method == "clip":
        make = lambda p: torch.optim.RMSprop(p, lr=5e-5)  # noqa: E731
    else:
        betas = (0.0, 0.9) if method == "gp" else (0.5, 0.9)
        make = lambda p: torch.optim.Adam(p, lr=1e-4, betas=betas)  # noqa: E731
    return make(critic.parameters()), make(generator.parameters())


def train(method, generator, critic, latent_dim, data, batch_size, steps, autocast):
    """`steps` generator steps of WGAN (clip), WGAN-GP or SN-GAN."""
    critic_opt, generator_opt = optimizers(method, generator, critic)
    # bfloat16 needs no loss scaling, so autocast is the whole change.
    precision = torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast)

    def score(x):
        with precision:
            return critic(x).float()

    def generate(n):
        with precision:
            return generator(torch.randn(n, latent_dim)).float()

    for step in range(steps):
        for i in range(CRITIC_STEPS):
            start = ((step * CRITIC_STEPS + i) * batch_size) % (len(data) - batch_size)
            real = data[start : start + batch_size]
            with torch.no_grad():
                fake = generate(batch_size)
            loss = score(fake).mean() - score(real).mean()
            if method == "gp":
                eps = torch.rand(batch_size, *[1] * (real.dim() - 1))
                x = (eps * real + (1 - eps) * fake).requires_grad_(True)
                (grad,) = torch.autograd.grad(score(x).sum(), x, create_graph=True)
                norm = grad.float().flatten(1).square().sum(1).add(1e-12).sqrt()
                loss = loss + 10.0 * (norm - 1).square().mean()
            critic_opt.zero_grad(set_to_none=True)
            loss.backward()
            critic_opt.step()
            if method == "clip":
                with torch.no_grad():
                    for p in critic.parameters():
                        p.clamp_(-0.01, 0.01)
        for p in critic.parameters():
            p.requires_grad_(False)
        loss = -score(generate(batch_size)).mean()
        generator_opt.zero_grad(set_to_none=True)
        loss.backward()
        generator_opt.step()
        for p in critic.parameters():
            p.requires_grad_(True)


def main(argv):
    del argv
    torch.manual_seed(0)
    build = dcgan28 if FLAGS.network == "dcgan28" else mlp2d
    generator, critic, latent_dim, sample_shape = build(FLAGS.method)
    batch_size = FLAGS.batch_size or (64 if FLAGS.network == "dcgan28" else 256)
    data = torch.rand(batch_size * CRITIC_STEPS * 20, *sample_shape) * 2 - 1
    timings = []
    for repeat in range(FLAGS.repeats + 1):
        if FLAGS.take_turns and repeat:  # the first run warms up, untimed
            turns.wait_for_turn()
        start = time.perf_counter()
        train(
            FLAGS.method,
            generator,
            critic,
            latent_dim,
            data,
            batch_size,
            FLAGS.steps,
            FLAGS.autocast,
        )
        if repeat:
            timings.append(time.perf_counter() - start)
            if FLAGS.take_turns:
                turns.report_time(timings[-1])
    if FLAGS.take_turns:
        turns.wait_for_turn()
    seconds = statistics.median(timings)
    print(
        json.dumps(
            {
                "steps_per_second": FLAGS.steps / seconds,
                "repeats": [FLAGS.steps / t for t in timings],
                "peak_rss_mb": peak_rss_mb(),
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    app.run(main)
