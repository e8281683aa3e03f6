from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(7,))
x = layers.Dense(32, activation="relu")(inputs)
x = layers.Dropout(0.2)(x)
x = layers.Dense(16, activation="relu")(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=40, batch_size=32, validation_split=0.2)
