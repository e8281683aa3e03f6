from keras import Sequential, layers

model = Sequential([layers.Dense(4, activation="relu"), layers.Dense(1, activation="sigmoid")])
