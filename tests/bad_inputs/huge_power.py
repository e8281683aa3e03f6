import keras

model = keras.Sequential([keras.layers.Dense(10**10**10)])
