from tensorflow.keras import layers, models, optimizers

model = models.Sequential()
model.add(layers.Input(shape=(7,)))
model.add(layers.Dense(20, activation="relu"))
model.add(layers.BatchNormalization())
model.add(layers.Dense(1, activation="sigmoid"))
model.compile(optimizer=optimizers.Adam(lr=0.003), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=15, validation_split=0.2)
