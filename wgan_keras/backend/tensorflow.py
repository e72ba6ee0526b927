"""TensorFlow primitives: `tf.GradientTape`, nested for the penalty."""

import tensorflow as tf
from keras import ops

from wgan_keras.normalization import batch_normalization  # noqa: F401


def value_and_grad(fn, values):
    values = [tf.convert_to_tensor(v) for v in values]
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(values)
        loss, aux = fn(values)
    grads = tape.gradient(
        loss, values, unconnected_gradients=tf.UnconnectedGradients.ZERO
    )
    return (loss, aux), grads


def input_gradient(fn, x):
    # Recorded by any enclosing tape, which differentiates through this one.
    x = tf.convert_to_tensor(x)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x)
        outputs = fn(x)
    return tape.gradient(outputs, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)


def apply_gradients(optimizer, grads, variables):
    optimizer.apply(grads, variables)


def cond_update(pred, fn, variables):
    del variables  # tf.cond tracks the variables the branch touches itself.
    _, replicas = replica_position()
    if replicas > 1:
        raise ValueError(
            "A conditional update cannot run under tf.distribute: TensorFlow "
            "cannot aggregate the replicas' gradients inside `tf.cond`. Such an "
            "update is used by `critic_schedule='original'` and by a resume in the "
            "middle of an epoch (`BackupAndRestore(save_freq=N)`); use "
            "`critic_schedule='constant'` and `save_freq='epoch'`, or the JAX "
            "backend, which runs both distributed. Received: a step on "
            f"{replicas} replicas"
        )

    def run():
        fn()
        return tf.constant(True)

    tf.cond(tf.convert_to_tensor(pred), run, lambda: tf.constant(False))


def conv2d(x, kernel, strides, padding):
    return ops.conv(x, kernel, strides=strides, padding=padding)


def conv2d_transpose(x, kernel, strides, padding):
    return ops.conv_transpose(x, kernel, strides=strides, padding=padding)


def shard_batch(x):
    return x


def replica_position():
    context = tf.distribute.get_replica_context()
    if context is None:  # cross-replica context: no per-replica step runs here
        return 0, 1
    return context.replica_id_in_sync_group, context.num_replicas_in_sync


def data_replicas(model):
    return model.distribute_strategy.num_replicas_in_sync


class WGANTrainer:
    """Runs the shared step inside the `tf.function` that Keras traces.

    Every op of the step depends on the batch. Without that, when an iterator of
    unknown length runs dry, the ops that do not read the data (optimizer step
    counters, noise draws) of one extra step would still run before Keras sees
    the end of the data.
    """

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Keras builds a model on its first batch, reduced across replicas
        # with `strategy.reduce`, which fails on the per-replica batches of
        # MultiWorkerMirroredStrategy (keras-team/keras#20585). A GAN is
        # built in its constructor and its optimizers in `compile`: there is
        # nothing left to build.
        del iterator, data_batch

    def train_step(self, data):
        with tf.control_dependencies(tf.nest.flatten(data)):
            return _reducible(self._wgan_train_step(data))

    def test_step(self, data):
        return _reducible(self._wgan_test_step(data))


def _reducible(logs):
    """`logs` in a form Keras can reduce across the workers of a cluster.

    Keras reduces a step's outputs over several workers with
    `strategy.reduce("MEAN", value, axis=0)`, which needs a batch axis: a
    scalar fails (keras-team/keras#20585). There, each scalar becomes a
    one-element vector, and the mean over the replicas' elements is the scalar.
    """
    if not _multi_worker(tf.distribute.get_strategy()):
        return logs
    return {name: tf.reshape(value, (1,)) for name, value in logs.items()}


def _multi_worker(strategy):
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None:
        return False
    spec = resolver.cluster_spec().as_dict()
    return sum(len(tasks) for tasks in spec.values()) > 1
