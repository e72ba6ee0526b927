"""Trains the MNIST classifier that `wk.metrics` uses as its feature network.

A small CNN on images in [-1, 1] (the generators' range): two blocks of two
3x3 convolutions and max pooling, a 128-unit `features` layer (the embedding
for the Frechet and kernel distances) and 10 logits. Writes
`saved_models/mnist_classifier/` (classifier.keras, metadata.json with its
test accuracy and the real-data floor of the distances) atomically and prints
the registry entry.

    python scripts/train_mnist_classifier.py --data=../shared/data/mnist.npz
"""

import json
import os
import pprint
import shlex
import sys
import time

import keras
from absl import app, flags

import wgan_keras as wk
from wgan_keras.evaluation import load_mnist, real_floor

FLAGS = flags.FLAGS
flags.DEFINE_string("data", None, "Keras-layout mnist.npz.")
flags.DEFINE_integer("epochs", 4, "Training epochs.")
flags.DEFINE_integer("batch_size", 128, "Batch size.")
flags.DEFINE_integer("seed", 0, "Seed of weights and data order.")
flags.DEFINE_string("name", "mnist_classifier", "Folder in saved_models/.")
flags.mark_flag_as_required("data")


def build_classifier():
    images = keras.Input((28, 28, 1), name="images")
    x = images
    for filters in (32, 64):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.3)(x)
    x = keras.layers.Dense(128, activation="relu", name="features")(x)
    x = keras.layers.Dropout(0.3)(x)
    logits = keras.layers.Dense(10, name="logits")(x)
    return keras.Model(images, logits, name="mnist_classifier")


def main(argv):
    del argv
    keras.utils.set_random_seed(FLAGS.seed)
    (x_train, y_train), (x_test, y_test) = load_mnist(FLAGS.data, labels=True)
    classifier = build_classifier()
    classifier.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    start = time.time()
    classifier.fit(
        x_train,
        y_train,
        batch_size=FLAGS.batch_size,
        epochs=FLAGS.epochs,
        validation_split=0.0,
        verbose=2,
    )
    wall = time.time() - start
    _, accuracy = classifier.evaluate(x_test, y_test, batch_size=500, verbose=0)
    floor = real_floor(x_train, x_test, features=wk.metrics.mnist_features(classifier))
    metadata = {
        "name": FLAGS.name,
        "kind": "classifier",
        "architecture": (
            "2x(conv3x3 x2 + maxpool) 32/64, dense 128 'features', 10 logits"
        ),
        "input": "(28, 28, 1) float32 in [-1, 1]",
        "data": os.path.basename(FLAGS.data),
        "test_accuracy": round(float(accuracy), 4),
        "real_data_floor": floor,
        "training": {
            "command": "python scripts/train_mnist_classifier.py "
            + " ".join(shlex.quote(a) for a in sys.argv[1:]),
            "epochs": FLAGS.epochs,
            "batch_size": FLAGS.batch_size,
            "seed": FLAGS.seed,
            "backend": keras.config.backend(),
            "keras_version": keras.__version__,
            "wall_seconds": round(wall, 1),
        },
    }
    hashes = wk.presets.save_preset(
        classifier,
        os.path.join(wk.presets.presets.saved_models_root(), FLAGS.name),
        metadata,
        grid=False,
        overwrite=True,
        model_file="classifier.keras",
    )
    print(json.dumps(metadata, indent=2))
    print("Registry entry:")
    pprint.pprint({FLAGS.name: {"kind": "classifier", "sha256": hashes}})


if __name__ == "__main__":
    app.run(main)
