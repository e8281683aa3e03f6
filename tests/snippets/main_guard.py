from tensorflow import keras


def main():
    model = keras.Sequential([keras.layers.Dense(24, activation="elu"), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adamax(learning_rate=0.002), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(X, y, epochs=9, validation_split=0.2)


if __name__ == "__main__":
    main()
