"""Writes a generator as a TensorFlow SavedModel or ONNX file.

This module always runs under the TensorFlow backend: in the calling process
when Keras uses TensorFlow, otherwise in a child process started by
`wgan_keras.export_generator` (`python -m wgan_keras.export.tensorflow_writer`)
that loads the generator from a `.keras` file. The SavedModel therefore holds
plain TensorFlow ops (no `XlaCallModule` compiled for one platform), which TF
Serving runs on CPU or GPU whichever backend trained the weights.
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import signal
import sys
import threading
import time

from wgan_keras._utils.layers import copy_with_weights
from wgan_keras.export.resolve import resolve_generator

# Reported by the child on stderr so the parent can raise the same error.
ERROR_PREFIX = "WGAN_KERAS_EXPORT_ERROR "
ONNX_OPSET = 17
# What an export computes in, and the Keras dtype policy that does it: the
# weights stay float32 and each layer computes in bfloat16.
COMPUTE_POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16"}


def computing_in(generator, dtype):
    """`generator`, or a copy with its weights that computes in `dtype`."""
    if dtype == "float32":
        return generator
    return copy_with_weights(generator, COMPUTE_POLICIES[dtype])


def _to_uint8(images):
    import tensorflow as tf

    pixels = tf.round((tf.clip_by_value(images, -1.0, 1.0) + 1.0) * 127.5)
    return tf.cast(pixels, tf.uint8)


def input_signature(generator, latent_dim, names=("z",)):
    """`z`, and a conditional generator's `labels`, as `tf.TensorSpec`s.

    `names` lists the inputs to lead with (`generate` leads with `seed` and
    `num_samples` instead of `z`).
    """
    import tensorflow as tf

    specs = {
        "z": tf.TensorSpec([None, latent_dim], tf.float32, name="z"),
        "seed": tf.TensorSpec([], tf.int64, name="seed"),
        "num_samples": tf.TensorSpec([], tf.int32, name="num_samples"),
    }
    signature = [specs[name] for name in names]
    if len(generator.inputs) == 2:  # a conditional generator: [z, labels]
        signature.append(tf.TensorSpec([None], tf.int32, name="labels"))
    return signature


def serving_functions(generator, latent_dim):
    """The two serving signatures as `tf.function`s, in inference mode.

    A conditional generator (inputs `[z, labels]`) takes `labels`, int32, one
    per sample, in both; they are checked against its `num_classes`.

    Returns:
        `{"serving_default": fn(z[, labels]), "generate": fn(seed,
        num_samples[, labels])}`.
    """
    import tensorflow as tf

    num_classes = getattr(generator, "num_classes", None)

    def images_from(z, labels=None):
        # training=False: batch norm uses its moving statistics and spectral
        # normalization its stored singular vector.
        if labels is None:
            return tf.cast(generator(z, training=False), tf.float32)
        checks = [
            tf.debugging.assert_equal(
                tf.shape(labels)[0],
                tf.shape(z)[0],
                message="`labels` must hold one label per sample",
            )
        ]
        if num_classes is not None:
            checks.append(
                tf.debugging.Assert(
                    tf.reduce_all((labels >= 0) & (labels < num_classes)),
                    [f"`labels` must lie in [0, {num_classes}). Received:", labels],
                )
            )
        with tf.control_dependencies(checks):
            labels = tf.identity(labels)
        return tf.cast(generator([z, labels], training=False), tf.float32)

    @tf.function(input_signature=input_signature(generator, latent_dim))
    def serving_default(z, labels=None):
        return {"images": images_from(z, labels)}

    @tf.function(
        input_signature=input_signature(generator, latent_dim, ("seed", "num_samples"))
    )
    def generate(seed, num_samples, labels=None):
        check = tf.debugging.assert_non_negative(
            num_samples, message="`num_samples` must be >= 0"
        )
        with tf.control_dependencies([check]):
            # Philox explicitly: the same seed gives the same z on CPU and GPU.
            z = tf.random.stateless_normal(
                tf.stack([num_samples, latent_dim]),
                seed=tf.stack([seed, tf.zeros_like(seed)]),
                alg="philox",
            )
        images = images_from(z, labels)
        outputs = {"images": images, "z": z}
        if images.shape.rank == 4:
            outputs["images_uint8"] = _to_uint8(images)
        return outputs

    return {"serving_default": serving_default, "generate": generate}


def serving_variables(generator, functions):
    """The TensorFlow variables that the serving functions read.

    These, not the Keras variables that wrap them, must be what the SavedModel
    tracks. The functions capture the `tf.Variable` under each Keras variable;
    the session loader of `saved_model_cli run` and TF Serving restores only
    the variables in the checkpoint, by name, so when the checkpoint holds the
    Keras wrappers the captured variables are never restored ("Could not find
    variable ..."). `tf.saved_model.load` restores both its own way and hides
    the difference. Keras' `ExportArchive` tracks the same list.
    """
    variables, seen = [], set()
    candidates = [v.value for v in generator.variables]
    for function in functions.values():
        candidates += function.get_concrete_function().variables
    for variable in candidates:
        if id(variable) not in seen:
            seen.add(id(variable))
            variables.append(variable)
    return variables


def write_saved_model(generator, latent_dim, directory):
    """Writes the SavedModel with both signatures into `directory`."""
    import tensorflow as tf

    functions = serving_functions(generator, latent_dim)
    module = tf.Module()
    module.serving_variables = serving_variables(generator, functions)
    module.serving_default = functions["serving_default"]
    module.generate = functions["generate"]
    num_classes = getattr(generator, "num_classes", None)
    if isinstance(num_classes, int):
        # A function, not a signature: TF Serving lists only the signatures,
        # and `tf.saved_model.load` readers learn which labels to ask for.
        module.num_classes = tf.function(
            lambda: tf.constant(num_classes, tf.int32), input_signature=[]
        )
    tf.saved_model.save(module, directory, signatures=functions)


def write_onnx(generator, latent_dim, path):
    """Writes `z -> images` as an ONNX model (input `z`, output `images`; a
    conditional generator's `labels` input too)."""
    import tf2onnx

    serving_default = serving_functions(generator, latent_dim)["serving_default"]
    tf2onnx.convert.from_function(
        serving_default,
        input_signature=input_signature(generator, latent_dim),
        opset=ONNX_OPSET,
        output_path=path,
    )


def write(generator, latent_dim, format, target, dtype="float32"):
    """Writes `format` ("tf_saved_model" into a folder, "onnx" to a file),
    computing in `dtype`."""
    generator = computing_in(generator, dtype)
    if format == "onnx":
        write_onnx(generator, latent_dim, target)
    else:
        write_saved_model(generator, latent_dim, target)


def exit_with_parent(parent_pid):
    """Ends this child process as soon as its parent `parent_pid` is gone.

    A killed parent cannot clean up its child, which would otherwise go on
    writing into a staging folder that the next export removes. On Linux the
    kernel sends SIGKILL (`PR_SET_PDEATHSIG`); a thread that watches the
    parent's id covers other systems and a parent that died before the call.
    """
    pr_set_pdeathsig = 1
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def main(argv=None):
    """The child process: load a `.keras` file, write the export, report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--format", required=True)
    parser.add_argument("--dtype", default="float32")
    parser.add_argument("--parent_pid", type=int)
    args = parser.parse_args(argv)
    if args.parent_pid is not None:
        exit_with_parent(args.parent_pid)

    import keras  # the parent sets KERAS_BACKEND=tensorflow

    if keras.config.backend() != "tensorflow":
        raise RuntimeError(
            "The export child must run under the TensorFlow backend. Received: "
            f"backend={keras.config.backend()!r}"
        )
    try:
        generator, latent_dim = resolve_generator(args.model)
        write(generator, latent_dim, args.format, args.target, args.dtype)
    except (ValueError, FileNotFoundError, ImportError) as error:
        report = {"type": type(error).__name__, "message": str(error)}
        print(ERROR_PREFIX + json.dumps(report), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
