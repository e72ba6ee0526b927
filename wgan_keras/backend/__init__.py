"""Backend-specific training primitives, chosen once from `keras.config.backend()`.

Each backend module exports the same names:

- `value_and_grad(fn, values)`: evaluates `loss, aux = fn(values)` and returns
  `((loss, aux), grads)` with the gradient of `loss` with respect to `values`.
- `input_gradient(fn, x)`: the gradient of `sum(fn(x))` with respect to `x`, kept
  differentiable so that a loss built on it (the gradient penalty) can itself be
  differentiated with respect to the critic's weights.
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
- `bfloat16_slowdown()`: why this backend's devices gain no speed from
  bfloat16 (XLA:CPU computes its dots and convolutions in float32), or None;
  `compile` warns with it under a bfloat16 policy.
- `WGANTrainer`: the trainer mix-in, as Keras' own backend trainers are. Its
  `train_step` runs the shared WGAN step (`WassersteinGAN._wgan_train_step`)
  inside the backend's `fit()` loop, and its `optimizer_step(network,
  optimizer, loss_fn)` owns taking each update's gradient and applying it;
  the shared step only supplies the loss functions (`updates.py` holds what
  the three `optimizer_step`s share).

No other module of the package imports tensorflow, jax or torch for training;
the data path's `tf.data` adapter (`wgan_keras.data.tf_dataset`), the export
and the TensorBoard callback import TensorFlow for their own work.
"""

import importlib

import keras

_BACKEND = keras.config.backend()
if _BACKEND not in ("tensorflow", "jax", "torch"):
    raise ValueError(
        "wgan_keras supports the Keras backends 'tensorflow', 'jax' and "
        f"'torch'. Received: KERAS_BACKEND={_BACKEND!r}"
    )
_module = importlib.import_module(f"wgan_keras.backend.{_BACKEND}")

WGANTrainer = _module.WGANTrainer
batch_normalization = _module.batch_normalization
bfloat16_slowdown = _module.bfloat16_slowdown
cond_update = _module.cond_update
conv2d = _module.conv2d
conv2d_transpose = _module.conv2d_transpose
data_replicas = _module.data_replicas
input_gradient = _module.input_gradient
replica_position = _module.replica_position
shard_batch = _module.shard_batch
value_and_grad = _module.value_and_grad
