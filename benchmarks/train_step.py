"""WGAN training speed on every backend, against a plain-PyTorch loop.

For each network (DCGAN 28x28 at batch 64, the MLP on 2-D data at batch 256)
and method (clip, gp, sn), starts fresh processes side by side: the
plain-PyTorch loop of `torch_reference.py` and `gan.fit` on each Keras backend
with the same networks, optimizers and `critic_steps=5`. Each warms up
(compilation), then they take turns (`turns.py`): one timed run of `--steps`
generator steps per process per round, `--repeats` rounds, so that every
process is timed over the same minutes of a machine whose speed drifts. Each
reports its median. Prints generator steps/s, images/s (generated samples the
critic scored per second), the ratio to plain PyTorch, GFLOP/s from counted
multiply-adds, their share of a float32 matmul roofline measured in the same
invocation, peak memory and the memory growth over the timed steps (and,
with `--memory_steps`, over that many more steps).

    python benchmarks/train_step.py                      # everything
    python benchmarks/train_step.py --networks=mlp2d --methods=gp
    python benchmarks/train_step.py --json=out.json      # also write the table
    python benchmarks/train_step.py --networks=mlp2d --memory_steps=1000
    python benchmarks/train_step.py --dtype_policies=float32,mixed_bfloat16

`--dtype_policies` times every Keras run under each Keras dtype policy, and
with `mixed_bfloat16` the plain-PyTorch loop under
`torch.autocast(dtype=torch.bfloat16)` too; "vs torch" stays the ratio to the
float32 plain-PyTorch loop and "vs fp32" is the ratio to the same runner in
float32. Each row's roofline share is of its own dtype's matmul roofline,
both measured at the start.

Counted FLOPs per generator step, with G and C one sample's multiply-adds
through the generator and the critic and m the batch (backward = 2 forwards):
each critic step runs G on m, C forward and backward on 2m (3 * 2m * C); the
penalty adds C forward on m, its input gradient (m * C) and that gradient's
own backward (4 * m * C); the generator step runs G and C forward and
backward on m (3 * m * G + 2 * m * C: no weight gradient for C). FLOPs = 2 x
multiply-adds.
"""

import json
import os
import statistics
import sys
import time

from absl import app, flags

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import turns  # noqa: E402
from memory import current_rss_mb, peak_rss_mb  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("backends", ["tensorflow", "jax", "torch"], "Keras backends.")
flags.DEFINE_list("methods", ["clip", "gp", "sn"], "Lipschitz methods.")
flags.DEFINE_list("networks", ["dcgan28", "mlp2d"], "Networks.")
flags.DEFINE_list(
    "dtype_policies",
    ["float32"],
    "Keras dtype policies, each timed on every backend (float32, "
    "mixed_bfloat16); with mixed_bfloat16 the plain-PyTorch loop also runs "
    "under torch.autocast(dtype=torch.bfloat16).",
)
flags.DEFINE_integer("steps", None, "Generator steps per repeat (10 DCGAN, 100 MLP).")
flags.DEFINE_integer("repeats", None, "Timed repeats (3 DCGAN, 10 MLP).")
flags.DEFINE_string("json", None, "Also write the results to this file.")
flags.DEFINE_integer(
    "memory_steps",
    0,
    "After timing, train this many more generator steps (a multiple of 100) "
    "and report the resident-memory growth from the first 100 to the last.",
)
flags.DEFINE_string(
    "worker", None, "Internal: time one Keras run (network,method,dtype_policy)."
)

CRITIC_STEPS = 5
# The policies whose matmuls have a roofline here (float16 has no fast CPU path).
POLICY_ROOFLINES = {"float32": "float32", "mixed_bfloat16": "bfloat16"}
DEFAULTS = {  # (batch, steps, repeats)
    "dcgan28": (64, 10, 3),
    "mlp2d": (256, 100, 10),
}


def build(network, method):
    """The Keras GAN of `network` and `method`, as `torch_reference.py` has it.

    The DCGAN is the image examples' (`wk.recipes.build_gan`: latent 128,
    width 64, batch norm where the method's reference code has it).
    """
    import wgan_keras as wk

    if network == "dcgan28":
        return wk.recipes.build_gan(
            method,
            (28, 28, 1),
            latent_dim=128,
            dim=64,
            critic_steps=CRITIC_STEPS,
            seed=0,
        )
    generator = wk.networks.MLPGenerator(latent_dim=2, output_shape=(2,))
    critic = wk.networks.MLPCritic(input_shape=(2,), spectral_norm=method == "sn")
    cls = {"clip": wk.WGAN, "gp": wk.WGANGP, "sn": wk.SNWGAN}[method]
    return cls(generator, critic, critic_steps=CRITIC_STEPS, seed=0)


def step_multiply_adds(network, method, gan):
    from flops import multiply_adds

    m = DEFAULTS[network][0]
    g, c = multiply_adds(gan.generator), multiply_adds(gan.critic)
    critic_step = m * g + 3 * 2 * m * c + (6 * m * c if method == "gp" else 0)
    return CRITIC_STEPS * critic_step + 3 * m * g + 2 * m * c


def run_worker(network, method, policy, steps, repeats, memory_steps=0):
    """Times `gan.fit` on this process's backend; prints one JSON line."""
    import keras
    import numpy as np
    from keras import ops

    keras.config.set_dtype_policy(policy)
    keras.utils.set_random_seed(0)
    gan = build(network, method)
    gan.compile()
    batch = DEFAULTS[network][0]
    shape = (28, 28, 1) if network == "dcgan28" else (2,)
    # One pass over an array is one epoch: it must hold every step of the
    # longest epoch, or Keras ends the epoch early ("ran out of data").
    epoch_steps = max(steps, 100 if memory_steps else 0)
    data = (
        np.random.default_rng(0)
        .uniform(-1, 1, (batch * CRITIC_STEPS * epoch_steps, *shape))
        .astype("float32")
    )

    class Timer(keras.callbacks.Callback):
        """Epoch times and memory; checks that each epoch ran `steps` steps."""

        def __init__(self, steps, take_turns=False):
            super().__init__()
            self.steps = steps
            self.take_turns = take_turns
            self.seconds, self.rss = [], []

        def generator_steps(self):
            return int(ops.convert_to_numpy(gan.generator_optimizer.iterations))

        def on_epoch_begin(self, epoch, logs=None):
            self._first_step = self.generator_steps()
            if self.take_turns and epoch:  # epoch 0 warms up, all at once
                turns.wait_for_turn()
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)
            if self.take_turns and epoch:
                turns.report_time(self.seconds[-1])
            self.rss.append(current_rss_mb())
            ran = self.generator_steps() - self._first_step
            if ran != self.steps:
                raise RuntimeError(
                    f"An epoch ran {ran} generator steps, not {self.steps}."
                )

    timer = Timer(steps, take_turns=True)
    gan.fit(
        data,
        batch_size=batch,
        epochs=repeats + 1,  # the first warms up (tracing, compilation)
        steps_per_epoch=steps,
        callbacks=[timer],
        verbose=0,
    )
    timed = timer.seconds[1:]
    turns.wait_for_turn()  # the others' repeats are over: run untimed work
    memory_growth = None
    if memory_steps:
        memory = Timer(100)  # resident memory after every 100 steps
        gan.fit(
            data,
            batch_size=batch,
            epochs=memory_steps // 100,
            steps_per_epoch=100,
            callbacks=[memory],
            verbose=0,
        )
        memory_growth = memory.rss[-1] - memory.rss[0]
    print(
        json.dumps(
            {
                "steps_per_second": steps / statistics.median(timed),
                "repeats": [steps / t for t in timed],
                "peak_rss_mb": peak_rss_mb(),
                "rss_growth_mb": timer.rss[-1] - timer.rss[0],
                "timed_steps": steps * repeats,
                "memory_steps": memory_steps,
                "memory_growth_mb": memory_growth,
                "multiply_adds": step_multiply_adds(network, method, gan),
            }
        )
    )


def check_policies(policies):
    unknown = [p for p in policies if p not in POLICY_ROOFLINES]
    if unknown or not policies:
        raise app.UsageError(
            f"--dtype_policies must be some of {list(POLICY_ROOFLINES)}. "
            f"Received: --dtype_policies={','.join(policies)}"
        )


def workers(network, method, steps, repeats):
    """`(name, policy, command, env)` of every process timed side by side."""
    reference = [sys.executable, os.path.join(HERE, "torch_reference.py")] + [
        f"--method={method}",
        f"--network={network}",
        f"--steps={steps}",
        f"--repeats={repeats}",
        "--take_turns",
    ]
    found = [("plain torch", "float32", reference, {})]
    if "mixed_bfloat16" in FLAGS.dtype_policies:
        found.append(("plain torch", "mixed_bfloat16", [*reference, "--autocast"], {}))
    for backend in FLAGS.backends:
        for policy in FLAGS.dtype_policies:
            command = [sys.executable, os.path.abspath(__file__)] + [
                f"--worker={network},{method},{policy}",
                f"--steps={steps}",
                f"--repeats={repeats}",
                f"--memory_steps={FLAGS.memory_steps}",
            ]
            env = {"KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
            found.append((backend, policy, command, env))
    return found


def main(argv):
    del argv
    if FLAGS.worker:
        network, method, policy = FLAGS.worker.split(",")
        run_worker(
            network, method, policy, FLAGS.steps, FLAGS.repeats, FLAGS.memory_steps
        )
        return
    check_policies(FLAGS.dtype_policies)
    from flops import matmul_gflops

    rooflines, matmuls = {}, {}
    for dtype in sorted(
        {"float32"} | {POLICY_ROOFLINES[p] for p in FLAGS.dtype_policies}
    ):
        rooflines[dtype], matmuls[dtype] = matmul_gflops(dtype=dtype)
        print(
            f"{dtype} matmul roofline: {rooflines[dtype]:.0f} GFLOP/s, "
            f"{os.cpu_count()} cores"
        )
        print(
            ", ".join(f"{name} {gflops:.0f}" for name, gflops in matmuls[dtype].items())
        )
    print()
    header = (
        f"{'network':8} {'method':6} {'backend':11} {'policy':14} {'steps/s':>8} "
        f"{'images/s':>9} {'vs torch':>8} {'vs fp32':>7} {'GFLOP/s':>8} "
        f"{'roofline':>8} {'peak MB':>8} {'growth MB':>9}"
        + (f" {f'{FLAGS.memory_steps} MB':>9}" if FLAGS.memory_steps else "")
    )
    print(header)
    rows = []
    for network in FLAGS.networks:
        batch, steps, repeats = DEFAULTS[network]
        steps, repeats = FLAGS.steps or steps, FLAGS.repeats or repeats
        for method in FLAGS.methods:
            processes = workers(network, method, steps, repeats)
            results = turns.take_turns(
                [
                    (f"{name} {policy}", command, env)
                    for name, policy, command, env in processes
                ],
                repeats,
            )
            speeds = {
                (name, policy): results[f"{name} {policy}"]["steps_per_second"]
                for name, policy, _, _ in processes
            }
            reference = speeds[("plain torch", "float32")]
            flop = 2 * next(
                r["multiply_adds"] for r in results.values() if "multiply_adds" in r
            )
            for name, policy, _, _ in processes:
                result = results[f"{name} {policy}"]
                speed = speeds[(name, policy)]
                float32_speed = speeds.get((name, "float32"))
                gflops = speed * flop / 1e9
                row = {
                    "network": network,
                    "method": method,
                    "backend": name,
                    "dtype_policy": policy,
                    "steps_per_second": speed,
                    "images_per_second": speed * batch * (CRITIC_STEPS + 1),
                    "vs_torch": speed / reference,
                    "vs_float32": None
                    if float32_speed is None
                    else speed / float32_speed,
                    "gflops": gflops,
                    "roofline_share": gflops / rooflines[POLICY_ROOFLINES[policy]],
                    "peak_rss_mb": result["peak_rss_mb"],
                    "rss_growth_mb": result.get("rss_growth_mb"),
                    "memory_growth_mb": result.get("memory_growth_mb"),
                    "repeats": result["repeats"],
                }
                rows.append(row)
                growth, long_growth = row["rss_growth_mb"], row["memory_growth_mb"]
                versus = row["vs_float32"]
                print(
                    f"{network:8} {method:6} {name:11} {policy:14} {speed:8.2f} "
                    f"{row['images_per_second']:9.0f} {row['vs_torch']:7.2f}x "
                    f"{'' if versus is None else f'{versus:6.2f}x':>7} "
                    f"{gflops:8.1f} {row['roofline_share']:7.0%} "
                    f"{row['peak_rss_mb']:8.0f} "
                    f"{'' if growth is None else f'{growth:9.1f}'}"
                    f"{'' if long_growth is None else f' {long_growth:9.1f}'}",
                    flush=True,
                )
    if FLAGS.json:
        with open(FLAGS.json, "w") as f:
            json.dump(
                {"roofline_gflops": rooflines, "matmuls": matmuls, "rows": rows},
                f,
                indent=2,
            )


if __name__ == "__main__":
    app.run(main)
