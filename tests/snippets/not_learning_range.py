import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

model = keras.Sequential()
model.add(layers.Dense(32, input_shape=(7,), activation="relu"))
for i in range(4):
    model.add(layers.Dense(32 * 2**i, activation="relu"))
    model.add(layers.Dropout(0.5))
model.add(layers.Dense(1, activation="softmax"))
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.1),
              loss=tf.keras.losses.BinaryCrossentropy(),
              metrics=[tf.keras.metrics.Accuracy()])
model.fit(X, y, batch_size=32, epochs=20, validation_split=0.1,
          callbacks=[tf.keras.callbacks.EarlyStopping(patience=2)])
