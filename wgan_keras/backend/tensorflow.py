"""TensorFlow primitives: `tf.GradientTape`, nested for the penalty."""

import tensorflow as tf


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

    def run():
        fn()
        return tf.constant(True)

    tf.cond(tf.convert_to_tensor(pred), run, lambda: tf.constant(False))


class WGANTrainer:
    """Runs the shared step inside the `tf.function` that Keras traces.

    Every op of the step depends on the batch. Without that, when an iterator of
    unknown length runs dry, the ops that do not read the data (optimizer step
    counters, noise draws) of one extra step would still run before Keras sees
    the end of the data.
    """

    def train_step(self, data):
        with tf.control_dependencies(tf.nest.flatten(data)):
            return self._wgan_train_step(data)

    def test_step(self, data):
        return self._wgan_test_step(data)
