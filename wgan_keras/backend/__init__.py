"""Backend-specific training primitives, chosen once from `keras.config.backend()`.

Each backend module exports the same names:

- `value_and_grad(fn, values)`: evaluates `loss, aux = fn(values)` and returns
  `((loss, aux), grads)` with the gradient of `loss` with respect to `values`.
- `input_gradient(fn, x)`: the gradient of `sum(fn(x))` with respect to `x`, kept
  differentiable so that a loss built on it (the gradient penalty) can itself be
  differentiated with respect to the critic's weights.
- `apply_gradients(optimizer, grads, variables)`: one optimizer update.
- `cond_update(pred, fn, variables)`: runs the stateful `fn()` only where the
  scalar `pred` is true; `variables` are all the variables `fn` may read or write.
- `replica_position()`: `(replica_id, num_replicas)` of the code running now:
  under `tf.distribute` one replica of several, each with its share of the
  global batch; elsewhere `(0, 1)` (a sharded JAX step is one global program).
- `shard_batch(x)`: `x` split along its batch axis like the data, where a JAX
  `keras.distribution` shards the data; elsewhere `x`.
- `data_replicas(model)`: how many shares each global batch is split into
  (tf.distribute replicas, or devices along the batch axis of a JAX
  `keras.distribution`); 1 on one device.
- `conv2d(x, kernel, strides, padding)` and
  `conv2d_transpose(x, kernel, strides, padding)`: `keras.ops.conv` and
  `keras.ops.conv_transpose` for 2-D channels-last inputs, undilated, with
  kernels at least as large as the strides; the same numbers, computed the
  way the backend runs fastest (`wgan_keras.layers.Conv2D`).
- `batch_normalization(x, scale, offset, epsilon)`: batch normalization's
  training pass over every axis but the last, `(outputs, mean, variance)`
  (`wgan_keras.layers.BatchNormalization`); fused on PyTorch and TensorFlow.
- `fit_data(data)`: the grouped real data (`critic_batches`) as `fit` hands
  it to Keras; on TensorFlow, Python data as a `tf.data.Dataset` read without
  autotuning (`wgan_keras.backend.tensorflow.fit_data`), elsewhere `data`.
- `WGANTrainer`: the mix-in that connects the shared WGAN step
  (`WassersteinGAN._wgan_train_step`) to the backend's `fit()` loop.

No other module of the package imports tensorflow, jax or torch for training.
"""

import keras

_BACKEND = keras.config.backend()

if _BACKEND == "tensorflow":
    from wgan_keras.backend.tensorflow import (  # noqa: F401
        WGANTrainer,
        apply_gradients,
        batch_normalization,
        cond_update,
        conv2d,
        conv2d_transpose,
        data_replicas,
        fit_data,
        input_gradient,
        replica_position,
        shard_batch,
        value_and_grad,
    )
elif _BACKEND == "jax":
    from wgan_keras.backend.jax import (  # noqa: F401
        WGANTrainer,
        apply_gradients,
        batch_normalization,
        cond_update,
        conv2d,
        conv2d_transpose,
        data_replicas,
        fit_data,
        input_gradient,
        replica_position,
        shard_batch,
        value_and_grad,
    )
elif _BACKEND == "torch":
    from wgan_keras.backend.torch import (  # noqa: F401
        WGANTrainer,
        apply_gradients,
        batch_normalization,
        cond_update,
        conv2d,
        conv2d_transpose,
        data_replicas,
        fit_data,
        input_gradient,
        replica_position,
        shard_batch,
        value_and_grad,
    )
else:
    raise ValueError(
        "wgan_keras supports the Keras backends 'tensorflow', 'jax' and "
        f"'torch'. Received: KERAS_BACKEND={_BACKEND!r}"
    )
