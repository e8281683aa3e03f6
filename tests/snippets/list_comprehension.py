from keras import Sequential, layers

sizes = [64, 32, 16]
model = Sequential([layers.Dense(n, activation="relu") for n in sizes] + [layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="nadam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=6, validation_split=0.2)
