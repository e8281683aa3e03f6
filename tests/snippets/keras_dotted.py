import keras

model = keras.Sequential(
    [
        keras.layers.Dense(8, activation="tanh"),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="binary_crossentropy",
              metrics=[keras.metrics.AUC(name="auc")])
model.fit(x, y, epochs=5, validation_split=0.3)
