"""Images per second from an exported generator, as TF Serving would run it.

Exports the 28x28 DCGAN generator (the `mnist_dcgan_gp` architecture: latent
128, width 64, no batch norm) with `wk.export_generator`, loads the SavedModel
with TensorFlow alone and times `serving_default` at several batch sizes on
the CPU, once per `--dtypes` (`wk.export_generator(..., dtype=...)`); ONNX
Runtime on the float32 ONNX export runs beside them. Prints images/s, the
GFLOP/s from counted multiply-adds, their share of the float32 and bfloat16
matmul rooflines measured in the same run, and how far each export's images
are from the float32 export's.

    python benchmarks/serving.py                 # any KERAS_BACKEND
    python benchmarks/serving.py --preset=mnist_dcgan_gp
    python benchmarks/serving.py --dtypes=float32 --batch_sizes=1024
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
flags.DEFINE_list(
    "dtypes", ["float32", "bfloat16"], "SavedModels computing in these dtypes."
)


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
    rooflines = {"float32": roofline}
    if "bfloat16" in FLAGS.dtypes:
        rooflines["bfloat16"], _ = matmul_gflops(dtype="bfloat16")
    batch_sizes = [int(b) for b in FLAGS.batch_sizes]
    rng = np.random.default_rng(0)

    probe = tf.constant(rng.standard_normal((256, latent_dim)), tf.float32)
    with tempfile.TemporaryDirectory() as tmp:
        runners, roofline_of, images = {}, {}, {}
        for dtype in FLAGS.dtypes:
            saved_model = wk.export_generator(
                generator, tmp, model_name=f"generator_{dtype}", dtype=dtype
            )
            loaded = tf.saved_model.load(saved_model)
            serving_default = loaded.signatures["serving_default"]
            name = f"SavedModel ({dtype})"
            runners[name], roofline_of[name] = {}, rooflines[dtype]
            images[dtype] = serving_default(z=probe)["images"].numpy()
            for b in batch_sizes:
                z = tf.constant(rng.standard_normal((b, latent_dim)), tf.float32)
                runners[name][b] = lambda z=z, f=serving_default: f(z=z)[
                    "images"
                ].numpy()
        if FLAGS.onnx:
            import onnxruntime

            path = wk.export_generator(generator, os.path.join(tmp, "g.onnx"), "onnx")
            session = onnxruntime.InferenceSession(
                path, providers=["CPUExecutionProvider"]
            )
            runners["ONNX Runtime"] = {}
            roofline_of["ONNX Runtime"] = rooflines["float32"]
            for b in batch_sizes:
                z = rng.standard_normal((b, latent_dim)).astype(np.float32)
                runners["ONNX Runtime"][b] = lambda z=z: session.run(None, {"z": z})

        print(
            f"\n28x28 DCGAN generator: {flops / 1e6:.1f} MFLOP per image "
            "(counted multiply-adds x 2); "
            + "; ".join(
                f"{d} matmul roofline {r:.0f} GFLOP/s, so at most "
                f"{r * 1e9 / flops:,.0f} images/s"
                for d, r in rooflines.items()
            )
            + f"; {os.cpu_count()} CPU cores"
        )
        for dtype, values in images.items():
            difference = (
                np.abs(values - images["float32"]) if "float32" in images else None
            )
            if dtype != "float32" and difference is not None:
                print(
                    f"{dtype} export's images against float32's (256 latent "
                    f"vectors, values in [-1, 1]): max |difference| "
                    f"{difference.max():.4f}, mean {difference.mean():.5f}"
                )
        print()
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
                    f"{gflops:>8.1f} {gflops / roofline_of[name]:>8.0%}"
                )
    largest = max(batch_sizes)
    for dtype in FLAGS.dtypes:
        rate = results[f"SavedModel ({dtype})", largest]
        print(
            f"\nSavedModel ({dtype}) at batch {largest}: {rate:,.0f} images/s, "
            f"{rate / FLAGS.target:.2f}x the target of {FLAGS.target:,.0f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak resident memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    app.run(main)
