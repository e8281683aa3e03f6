import keras

model = keras.Sequential([keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(None))])
