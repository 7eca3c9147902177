"""The Keras reference of aelab's conv VAE (docs/study.md 2.1), timed on this machine.

Written from the spec, after the Keras "Variational AutoEncoder" example: the
same layers, glorot/zero init, Adam(1e-3, eps 1e-7), BCE summed over pixels plus
KL, batch 128. Runs in its own environment (tensorflow-cpu is not an aelab
dependency); ``train_throughput.py`` calls it and reads one JSON line from stdout:

    python keras_conv_vae.py --images 12800 --epochs 3 --threads 2
"""

from __future__ import annotations

import argparse
import json
import os
import time


def build_vae(keras, latent_dim: int = 2):
    from keras import layers, ops

    class Sampling(layers.Layer):
        def call(self, inputs):
            mean, log_var = inputs
            epsilon = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
            return mean + ops.exp(0.5 * log_var) * epsilon

        def build(self, input_shape):
            self.seed_generator = keras.random.SeedGenerator(0)

    inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(32, 3, activation="relu", strides=2, padding="same")(inputs)
    x = layers.Conv2D(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    mean = layers.Dense(latent_dim)(x)
    log_var = layers.Dense(latent_dim)(x)
    z = Sampling()([mean, log_var])
    encoder = keras.Model(inputs, [mean, log_var, z])

    latent = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 64, activation="relu")(latent)
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(64, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu", strides=2, padding="same")(x)
    logits = layers.Conv2DTranspose(1, 3, padding="same")(x)
    decoder = keras.Model(latent, logits)

    class VAE(keras.Model):
        def __init__(self):
            super().__init__()
            self.encoder, self.decoder = encoder, decoder

        def train_step(self, data):
            import tensorflow as tf

            with tf.GradientTape() as tape:
                mean, log_var, z = self.encoder(data)
                logits = self.decoder(z)
                recon = ops.mean(ops.sum(ops.binary_crossentropy(data, logits, from_logits=True), axis=(1, 2, 3)))
                kl = ops.mean(ops.sum(-0.5 * (1 + log_var - ops.square(mean) - ops.exp(log_var)), axis=1))
                loss = recon + kl
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights, strict=True))
            return {"loss": loss}

    return VAE()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=12800)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["KERAS_BACKEND"] = "tensorflow"
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    import keras

    keras.utils.set_random_seed(0)
    images = np.random.default_rng(0).random((args.images, 28, 28, 1), dtype=np.float32)
    vae = build_vae(keras)
    vae.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3, epsilon=1e-7))
    epoch_seconds = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epoch_seconds.append(time.perf_counter() - self.started)

    vae.fit(images, epochs=args.epochs, batch_size=128, shuffle=True, verbose=0, callbacks=[Timer()])
    steady = min(epoch_seconds[1:] or epoch_seconds)  # the first epoch traces the graph
    print(
        json.dumps(
            {
                "framework": f"keras {keras.__version__} / tensorflow {tf.__version__}",
                "seconds_per_epoch": steady,
                "images_per_second": args.images / steady,
            }
        )
    )


if __name__ == "__main__":
    main()
