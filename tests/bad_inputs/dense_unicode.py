import keras

model = keras.Sequential([keras.layers.Dénse(8), keras.layers.Dense(1)])
