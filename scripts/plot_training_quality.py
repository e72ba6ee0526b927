"""Plots and correlates the held-out estimate and the Frechet distance of runs.

Reads the `logs/epochs.csv` that `examples/train_mnist.py` writes (with its
default `--frechet_distance_samples`, a Frechet distance per epoch) for each
run, and:

- plots, one panel per run, the held-out Wasserstein estimate
  (`dev_wasserstein_estimate`) and the Frechet distance against generator
  steps;
- prints the Spearman rank correlation between the two over the whole run and
  over its second half (the WGAN paper's claim is that the estimate falls as
  the samples improve: a positive correlation);
- prints the Frechet distance and the critic's mean input-gradient norm
  (`gradient_norm`, WGAN-GP runs) of every run side by side at a few steps,
  for comparing runs of one recipe (float32 against mixed_bfloat16, say).

    python scripts/plot_training_quality.py \
        --runs=gp=outputs/quality/mnist_gp_float32,clip=outputs/quality/mnist_clip \
        --output=docs/images/mnist_estimate_and_frechet.png \
        --frechet_output=docs/images/mnist_frechet.png
"""

import csv
import os

import numpy as np
from absl import app, flags
from scipy import stats

FLAGS = flags.FLAGS
flags.DEFINE_list("runs", None, "label=run_dir pairs, one panel each.")
flags.DEFINE_string("output", None, "Where the plot goes (.png); unset: no plot.")
flags.DEFINE_string(
    "frechet_output",
    None,
    "Where a plot of every run's Frechet distance on one axis goes (.png).",
)
flags.DEFINE_integer("steps_per_epoch", 250, "The runs' generator steps per epoch.")
flags.DEFINE_integer("table_every", 2500, "Steps between the side-by-side rows.")
flags.mark_flags_as_required(["runs"])


def read_epochs(run_dir):
    """`{column: np.array}` of a run's epochs.csv."""
    path = os.path.join(run_dir, "logs", "epochs.csv")
    if not os.path.exists(path):
        raise app.UsageError(
            f"Each run needs logs/epochs.csv. Received: a run at {run_dir} without it"
        )
    with open(path) as f:
        rows = list(csv.DictReader(f))
    columns = {key: np.array([float(r[key]) for r in rows]) for key in rows[0]}
    for key in ("dev_wasserstein_estimate", "frechet_distance"):
        if key not in columns:
            raise app.UsageError(
                f"{path} has no `{key}` column; train with a held-out set and "
                "--frechet_distance_samples > 0."
            )
    return columns


def spearman(x, y):
    return float(stats.spearmanr(x, y).statistic)


def main(argv):
    del argv
    runs = {}
    for item in FLAGS.runs:
        label, _, run_dir = item.partition("=")
        if not run_dir:
            raise app.UsageError(f"--runs takes label=run_dir. Received: {item!r}")
        runs[label] = read_epochs(run_dir)

    print("| run | epochs | Spearman, whole run | Spearman, second half |")
    print("|---|---:|---:|---:|")
    for label, columns in runs.items():
        estimate, distance = (
            columns["dev_wasserstein_estimate"],
            columns["frechet_distance"],
        )
        half = len(estimate) // 2
        print(
            f"| {label} | {len(estimate)} | {spearman(estimate, distance):.2f} | "
            f"{spearman(estimate[half:], distance[half:]):.2f} |"
        )

    print()
    labels = list(runs)
    print(
        "| step | "
        + " | ".join(f"{label} FD" for label in labels)
        + " | "
        + " | ".join(f"{label} grad norm" for label in labels)
        + " |"
    )
    print("|---:|" + "---:|" * (2 * len(labels)))
    longest = max(len(c["epoch"]) for c in runs.values())
    every = max(1, FLAGS.table_every // FLAGS.steps_per_epoch)
    for index in [*range(every - 1, longest, every)] + (
        [longest - 1] if longest % every else []
    ):
        cells = []
        for key in ("frechet_distance", "gradient_norm"):
            for columns in runs.values():
                values = columns.get(key)
                ok = values is not None and index < len(values)
                cells.append(f"{values[index]:.2f}" if ok else "")
        step = (index + 1) * FLAGS.steps_per_epoch
        print(f"| {step:,} | " + " | ".join(cells) + " |")

    if FLAGS.output:
        plot(runs, FLAGS.output)
        print(f"Wrote {FLAGS.output}")
    if FLAGS.frechet_output:
        plot_frechet(runs, FLAGS.frechet_output)
        print(f"Wrote {FLAGS.frechet_output}")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_frechet(runs, path):
    plt = _pyplot()
    figure, axis = plt.subplots(figsize=(6.5, 3.8))
    for label, columns in runs.items():
        steps = (columns["epoch"] + 1) * FLAGS.steps_per_epoch
        axis.plot(steps, columns["frechet_distance"], label=label)
    axis.set_yscale("log")
    axis.set_xlabel("generator steps")
    axis.set_ylabel("Frechet distance (log)")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def plot(runs, path):
    plt = _pyplot()
    figure, axes = plt.subplots(
        1, len(runs), figsize=(5.5 * len(runs), 3.8), squeeze=False
    )
    for axis, (label, columns) in zip(axes[0], runs.items()):
        steps = (columns["epoch"] + 1) * FLAGS.steps_per_epoch
        axis.plot(steps, columns["dev_wasserstein_estimate"], color="tab:blue")
        axis.set_xlabel("generator steps")
        axis.set_ylabel("held-out Wasserstein estimate", color="tab:blue")
        axis.set_title(label)
        right = axis.twinx()
        right.plot(steps, columns["frechet_distance"], color="tab:red")
        right.set_yscale("log")
        right.set_ylabel("Frechet distance (log)", color="tab:red")
    figure.tight_layout()
    figure.savefig(path, dpi=90)


if __name__ == "__main__":
    app.run(main)
