"""Trains one small GAN on one device and on two, and prints what they did.

Run by `test_distribution.py` in a fresh process, because the two CPU devices
must be set up before the backend starts: two logical CPU devices for
TensorFlow (`tf.distribute.MirroredStrategy`), two host devices for JAX
(`XLA_FLAGS=--xla_force_host_platform_device_count=2`,
`keras.distribution.DataParallel`). With `TF_CONFIG` set it is one worker of a
TensorFlow cluster (`MultiWorkerMirroredStrategy`). Prints one JSON line.

    KERAS_BACKEND=jax python tests/distributed_child.py '{"case": "match", ...}'
"""

import json
import os
import sys

BACKEND = os.environ["KERAS_BACKEND"]
if BACKEND == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"

import keras  # noqa: E402
import numpy as np  # noqa: E402

if BACKEND == "tensorflow" and "TF_CONFIG" in os.environ:
    import tensorflow as tf  # one worker of a cluster, one CPU each

    STRATEGY = tf.distribute.MultiWorkerMirroredStrategy()
elif BACKEND == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )
    STRATEGY = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
else:
    import jax

import wgan_keras as wk  # noqa: E402

METHODS = {"gp": wk.WGANGP, "clip": wk.WGAN, "sn": wk.SNWGAN}


CLASSES = 3


def conditional_networks():
    """A generator of `[z, labels]` and a projection critic, both small MLPs."""
    z = keras.Input((2,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    hidden = keras.layers.Dense(16, name="hidden_g")(z)
    hidden = keras.layers.Add()([hidden, wk.layers.ClassEmbedding(CLASSES, 16)(labels)])
    points = keras.layers.Dense(2)(keras.layers.ReLU()(hidden))
    generator = keras.Model([z, labels], points)
    x = keras.Input((2,), name="points")
    features = keras.layers.ReLU()(keras.layers.Dense(16, name="hidden_c")(x))
    projection = keras.layers.Dot(axes=-1)(
        [wk.layers.ClassEmbedding(CLASSES, 16)(labels), features]
    )
    scores = keras.layers.Add()([keras.layers.Dense(1)(features), projection])
    return generator, keras.Model([x, labels], scores)


def build(spec):
    keras.utils.set_random_seed(0)
    generator = wk.networks.MLPGenerator(
        latent_dim=2, output_shape=(2,), hidden_dim=16, num_hidden_layers=2
    )
    critic = wk.networks.MLPCritic(
        input_shape=(2,),
        hidden_dim=16,
        num_hidden_layers=2,
        spectral_norm=spec["method"] == "sn",
    )
    extra = {}
    if spec.get("conditional"):
        generator, critic = conditional_networks()
        extra["num_classes"] = CLASSES
    gan = METHODS[spec["method"]](
        generator,
        critic,
        seed=1,
        critic_steps=spec.get("critic_steps", 5),
        critic_schedule=spec.get("schedule", "constant"),
        ema_decay=spec.get("ema_decay"),
        **extra,
    )
    # Plain SGD: its update is linear in the gradient, so the comparison
    # measures the distributed step, not an optimizer's amplification of
    # rounding (Adam with beta_1=0 turns a 1e-9 gradient into a full step).
    gan.compile(
        critic_optimizer=keras.optimizers.SGD(0.05),
        generator_optimizer=keras.optimizers.SGD(0.05),
    )
    return gan


def distributed(spec):
    """Builds the GAN under two devices; returns it (and the TF strategy)."""
    if BACKEND == "tensorflow":
        with STRATEGY.scope():
            return build(spec)
    devices = jax.devices()
    if spec.get("layout") == "model":
        mesh = keras.distribution.DeviceMesh((1, 2), ["batch", "model"], devices)
        layout_map = keras.distribution.LayoutMap(mesh)
        layout_map["hidden_.*/kernel"] = (None, "model")
        layout_map["hidden_.*/bias"] = ("model",)
        distribution = keras.distribution.ModelParallel(
            layout_map=layout_map, batch_dim_name="batch"
        )
    else:
        distribution = keras.distribution.DataParallel(devices=devices)
    keras.distribution.set_distribution(distribution)
    return build(spec)


def fit(gan, spec, x):
    # A conditional GAN's labels: the classes in turn.
    y = np.arange(len(x)) % CLASSES if spec.get("conditional") else None
    history = gan.fit(
        x, y, batch_size=spec.get("batch_size", 64), epochs=1, verbose=0, shuffle=True
    )
    return {k: float(v[-1]) for k, v in history.history.items()}


def weights(gan):
    return [np.asarray(keras.ops.convert_to_numpy(w), "float64") for w in gan.weights]


def run(spec):
    if BACKEND == "jax":
        keras.distribution.set_distribution(None)  # the previous spec's
    case = spec["case"]
    x = wk.datasets.gaussian_mixture_2d(spec.get("samples", 64 * 5 * 3), seed=0)
    result = {"case": case}
    if case == "match":
        one = build(spec)
        result["one_device"] = fit(one, spec, x)
        two = distributed(spec)
        result["two_devices"] = fit(two, spec, x)
        critic = {id(v) for v in one.critic.weights}
        result["weight_differences"] = {
            ("critic/" if id(variable) in critic else "") + variable.path: float(
                np.max(np.abs(a - b))
            )
            for variable, a, b in zip(one.weights, weights(one), weights(two))
        }
        result["max_weight_difference"] = max(result["weight_differences"].values())
        result["weights_moved"] = max(
            float(np.max(np.abs(a - b)))
            for a, b in zip(weights(one), weights(build(spec)))
        )
    elif case == "noise" and BACKEND == "jax":  # the noise's shards in a step
        gan = distributed(spec)
        state = gan.seed_generator.state.value

        def draw(state):
            mapping = [(gan.seed_generator.state, state)]
            with keras.StatelessScope(state_mapping=mapping):
                return gan.sample_latent(8)

        z = jax.jit(draw)(state)
        shards = sorted(z.addressable_shards, key=lambda s: s.index[0].start or 0)
        result["replicas"] = [np.asarray(s.data).tolist() for s in shards]
        keras.distribution.set_distribution(None)
        result["one_device"] = np.asarray(jax.jit(draw)(state)).tolist()
    elif case == "noise":  # TensorFlow: the replicas' noise in one step
        gan = distributed(spec)
        state = keras.ops.convert_to_numpy(gan.seed_generator.state)
        per_replica = STRATEGY.run(lambda: gan.sample_latent(4))
        result["replicas"] = [
            np.asarray(t).tolist()
            for t in STRATEGY.experimental_local_results(per_replica)
        ]
        gan.seed_generator.state.assign(state)
        result["one_device"] = np.asarray(gan.sample_latent(8)).tolist()
    elif case == "weights":  # one device, or one worker under TF_CONFIG
        gan = distributed(spec) if "TF_CONFIG" in os.environ else build(spec)
        result["history"] = fit(gan, spec, x)
        result["weights"] = np.concatenate([w.ravel() for w in weights(gan)]).tolist()
    elif case == "error":
        gan = distributed(spec)
        try:
            fit(gan, spec, x)
            result["error"] = None
        except Exception as error:  # reported to the test, which checks it
            result["error"] = f"{type(error).__name__}: {error}"
    return result


def main():
    specs = json.loads(sys.argv[1])
    print(json.dumps([run(spec) for spec in specs]))


if __name__ == "__main__":
    main()
