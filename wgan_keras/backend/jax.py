"""JAX primitives, and the state threading that a jitted `fit()` needs.

Keras' JAX trainer calls `train_step(state, data)` with the values of
`model.trainable_variables`, `model.non_trainable_variables`,
`model.optimizer.variables` and `model.metrics_variables`, and expects the new
values back. `WassersteinGAN.optimizer` exposes the variables of both the critic's
and the generator's optimizer, so both advance inside the compiled step. The shared
(stateful) WGAN step runs inside a `keras.StatelessScope` that maps every variable
to its traced value and collects every assignment.
"""

import functools

import jax
import jax.numpy as jnp
import keras

from wgan_keras.backend.convolution import transposed_convolution, transposed_size
from wgan_keras.backend.normalization import batch_normalization  # noqa: F401
from wgan_keras.backend.updates import gradients_applied, scaled_loss


def value_and_grad(fn, values):
    return jax.value_and_grad(fn, has_aux=True)(list(values))


def input_gradient(fn, x):
    return jax.grad(lambda inputs: jnp.sum(fn(inputs)))(x)


def _functional(fn, variables):
    """Turns a stateful `fn()` into a pure function of the variables' values."""

    def pure(values):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))) as s:
            fn()
        return [_current(s, v, value) for v, value in zip(variables, values)]

    return pure


def _current(scope, variable, default):
    value = scope.get_current_value(variable)
    return default if value is None else value


def cond_update(pred, fn, variables):
    variables = list(variables)
    values = [v.value for v in variables]
    new_values = jax.lax.cond(
        jnp.asarray(pred), _functional(fn, variables), lambda vals: vals, values
    )
    for variable, value in zip(variables, new_values):
        variable.assign(value)


# XLA's CPU compiler runs input-dilated convolutions (the transposes of strided
# ones) about 10x slower than plain ones; both the generator's upsampling and
# the gradient of every strided critic convolution are such transposes. Here
# they run as sub-pixel convolutions (`wgan_keras.convolution`).


def conv2d(x, kernel, strides, padding):
    return _conv2d(jnp.asarray(x), jnp.asarray(kernel), strides, padding)


@functools.partial(jax.custom_vjp, nondiff_argnums=(2, 3))
def _conv2d(x, kernel, strides, padding):
    return keras.ops.conv(x, kernel, strides=strides, padding=padding)


def _conv2d_forward(x, kernel, strides, padding):
    return _conv2d(x, kernel, strides, padding), (x, kernel)


def _conv2d_backward(strides, padding, residuals, dy):
    x, kernel = residuals
    dx = transposed_convolution(dy, kernel, strides, padding, x.shape[1:3])
    _, kernel_vjp = jax.vjp(
        lambda k: keras.ops.conv(x, k, strides=strides, padding=padding), kernel
    )
    return dx, kernel_vjp(dy)[0]


_conv2d.defvjp(_conv2d_forward, _conv2d_backward)


def conv2d_transpose(x, kernel, strides, padding):
    # Keras' transposed kernel (h, w, filters, in) is the kernel of the
    # convolution this transposes, from `filters` channels to `in`.
    size = [
        transposed_size(n, k, s, padding)
        for n, k, s in zip(x.shape[1:3], kernel.shape[:2], strides)
    ]
    return transposed_convolution(
        jnp.asarray(x), jnp.asarray(kernel), strides, padding, size
    )


def shard_batch(x):
    # Noise drawn inside the step has no sharding of its own; XLA could then
    # run the generator on the whole batch on every device. Split it like the
    # data.
    distribution = keras.distribution.distribution()
    if distribution is None:
        return x
    layout = distribution.get_data_layout(tuple(x.shape))
    return keras.distribution.distribute_tensor(x, layout)


def replica_position():
    # A sharded JAX step is one global program over the global batch.
    return 0, 1


def data_replicas(model):
    del model
    distribution = keras.distribution.distribution()
    if distribution is None:
        return 1
    mesh = distribution.device_mesh
    return mesh.shape[mesh.axis_names.index(distribution.batch_dim_name)]


def bfloat16_slowdown():
    """Why bfloat16 brings no speed on JAX's CPU devices; None elsewhere.

    XLA:CPU (jaxlib's PyPI builds, which have no oneDNN) supports bfloat16
    dots and convolutions only as storage: its float-normalization pass
    rewrites each into float32 between two converts, so a mixed_bfloat16 step
    does the float32 work plus the conversions. No XLA flag changes that
    (`benchmarks/README.md` lists those tried). GPUs and TPUs compute
    bfloat16 natively.
    """
    if jax.default_backend() != "cpu":
        return None
    return (
        "XLA:CPU computes bfloat16 dots and convolutions in float32 (it "
        "converts around each), so the mixed_bfloat16 policy makes JAX's CPU "
        "training slower, not faster. On CPU, train in float32 with JAX, or "
        "under mixed_bfloat16 with TensorFlow or PyTorch, which compute in "
        "bfloat16."
    )


class WGANTrainer:
    """Threads Keras' JAX `fit()` state through the shared stateful step.

    Keras' JAX `fit` moves the variables' values into its loop and writes them
    back at the end; an exception in between (a bad batch, a divergence, a
    KeyboardInterrupt) would leave every variable without a value. Here the
    values stay in place during `fit` (one more copy of the weights in
    memory), and an interrupted `fit` writes back the state of the last step
    that ran, so the model can still be inspected, saved or trained on.
    """

    def _purge_model_variables(self, *args, **kwargs):
        del args, kwargs  # keep the values: see the class docstring

    def fit(self, *args, **kwargs):
        try:
            return super().fit(*args, **kwargs)
        except BaseException:
            self.jax_state_sync()
            raise

    def _run_stateless(self, step, state, data, groups):
        mapping = []
        for refs, values in zip(groups, state):
            mapping.extend(zip(refs, values))
        with keras.StatelessScope(state_mapping=mapping) as scope:
            logs = step(data)
        new_state = tuple(
            [_current(scope, v, value) for v, value in zip(refs, values)]
            for refs, values in zip(groups, state)
        )
        return logs, new_state

    def train_step(self, state, data):
        groups = (
            self.trainable_variables,
            self.non_trainable_variables,
            self.optimizer.variables,
            self.metrics_variables,
        )
        return self._run_stateless(self._wgan_train_step, state, data, groups)

    def optimizer_step(self, network, optimizer, loss_fn):
        """Updates `network` by `optimizer` on `loss_fn`, with `jax.value_and_grad`.

        `loss_fn(trainable_values)` returns `(loss, aux)`; this returns
        `(loss, aux, applied)` (`backend.updates.gradients_applied`).
        """
        variables = network.trainable_variables
        values = [v.value for v in variables]
        fn = scaled_loss(optimizer, loss_fn, replicas=1)
        (_, (loss, aux)), grads = value_and_grad(fn, values)
        applied = gradients_applied(optimizer, grads)
        # Stateless, so that optimizers with conditional state (LossScaleOptimizer's
        # skip of non-finite steps) update under `jit` too.
        new_values, new_optimizer_values = optimizer.stateless_apply(
            [v.value for v in optimizer.variables], grads, values
        )
        for variable, value in zip(variables, new_values):
            variable.assign(value)
        for variable, value in zip(optimizer.variables, new_optimizer_values):
            variable.assign(value)
        return loss, aux, applied

    def test_step(self, state, data):
        groups = (
            self.trainable_variables,
            self.non_trainable_variables,
            self.metrics_variables,
        )
        return self._run_stateless(self._wgan_test_step, state, data, groups)
