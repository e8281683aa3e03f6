import tensorflow as tf


def build_model(hidden_units=(32, 16), rate=0.2):
    model = tf.keras.Sequential()
    for units in hidden_units:
        model.add(tf.keras.layers.Dense(units, activation="relu"))
        model.add(tf.keras.layers.Dropout(rate))
    model.add(tf.keras.layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


model = build_model(rate=0.3)
history = model.fit(X, y, epochs=12, validation_split=0.2, verbose=0)
