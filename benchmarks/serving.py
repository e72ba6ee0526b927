"""Images per second from an exported generator, as TF Serving would run it.

Exports the 28x28 DCGAN generator (the `mnist_dcgan_gp` architecture: latent
128, width 64, no batch norm) with `wk.export_generator`, loads the SavedModel
with TensorFlow alone and times `serving_default` at several batch sizes on
the CPU; ONNX Runtime on the ONNX export runs beside it. Prints images/s, the
GFLOP/s from counted multiply-adds and their share of a float32 matmul
roofline measured in the same run.

    python benchmarks/serving.py                 # any KERAS_BACKEND
    python benchmarks/serving.py --preset=mnist_dcgan_gp
"""

import os
import resource
import statistics
import sys
import tempfile
import time

from absl import app, flags

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from flops import matmul_gflops, multiply_adds  # noqa: E402

import wgan_keras as wk  # noqa: E402

FLAGS = flags.FLAGS
flags.DEFINE_list("batch_sizes", ["1", "64", "1024"], "Batch sizes to time.")
flags.DEFINE_integer("repeats", 5, "Timed repeats per batch size (median).")
flags.DEFINE_float("seconds", 1.0, "Minimum seconds per repeat.")
flags.DEFINE_string("preset", None, "Time a pretrained generator instead.")
flags.DEFINE_float("target", 5000.0, "Target images/s at the largest batch.")
flags.DEFINE_bool("onnx", True, "Also time ONNX Runtime on the ONNX export.")


def images_per_second(run, batch_size):
    """Median images/s over repeats of at least FLAGS.seconds each."""
    for _ in range(3):
        run()  # warm-up
    rates = []
    for _ in range(FLAGS.repeats):
        calls, start = 0, time.perf_counter()
        while True:
            run()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= FLAGS.seconds:
                break
        rates.append(calls * batch_size / elapsed)
    return statistics.median(rates)


def main(argv):
    del argv
    import tensorflow as tf

    if FLAGS.preset:
        generator = wk.load_generator(FLAGS.preset)
    else:
        generator = wk.networks.DCGANGenerator(
            latent_dim=128, image_shape=(28, 28, 1), batch_norm=False
        )
    latent_dim = generator.input_shape[-1]
    flops = 2 * multiply_adds(generator)
    roofline, _ = matmul_gflops()
    batch_sizes = [int(b) for b in FLAGS.batch_sizes]
    rng = np.random.default_rng(0)

    with tempfile.TemporaryDirectory() as tmp:
        saved_model = wk.export_generator(generator, tmp, model_name="generator")
        serving_default = tf.saved_model.load(saved_model).signatures["serving_default"]
        runners = {"SavedModel (TensorFlow)": {}}
        for b in batch_sizes:
            z = tf.constant(rng.standard_normal((b, latent_dim)), tf.float32)
            runners["SavedModel (TensorFlow)"][b] = lambda z=z: serving_default(z=z)[
                "images"
            ].numpy()
        if FLAGS.onnx:
            import onnxruntime

            path = wk.export_generator(generator, os.path.join(tmp, "g.onnx"), "onnx")
            session = onnxruntime.InferenceSession(
                path, providers=["CPUExecutionProvider"]
            )
            runners["ONNX Runtime"] = {}
            for b in batch_sizes:
                z = rng.standard_normal((b, latent_dim)).astype(np.float32)
                runners["ONNX Runtime"][b] = lambda z=z: session.run(None, {"z": z})

        print(
            f"\n28x28 DCGAN generator: {flops / 1e6:.1f} MFLOP per image "
            f"(counted multiply-adds x 2); float32 matmul roofline "
            f"{roofline:.0f} GFLOP/s, so at most {roofline * 1e9 / flops:,.0f} "
            f"images/s; {os.cpu_count()} CPU cores\n"
        )
        print(
            f"{'runtime':<24} {'batch':>6} {'images/s':>10} {'ms/batch':>9} "
            f"{'GFLOP/s':>8} {'roofline':>9}"
        )
        results = {}
        for name, runs in runners.items():
            for b, run in runs.items():
                rate = images_per_second(run, b)
                results[name, b] = rate
                gflops = rate * flops / 1e9
                print(
                    f"{name:<24} {b:>6} {rate:>10,.0f} {1000 * b / rate:>9.2f} "
                    f"{gflops:>8.1f} {gflops / roofline:>8.0%}"
                )
    largest = max(batch_sizes)
    rate = results["SavedModel (TensorFlow)", largest]
    print(
        f"\nSavedModel at batch {largest}: {rate:,.0f} images/s, "
        f"{rate / FLAGS.target:.2f}x the target of {FLAGS.target:,.0f}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    app.run(main)
