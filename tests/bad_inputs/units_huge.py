import keras

model = keras.Sequential([keras.layers.Dense(10**12), keras.layers.Dense(1)])
