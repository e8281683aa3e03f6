from tensorflow.keras import Sequential, initializers, regularizers
from tensorflow.keras.layers import Dense

model = Sequential([
    Dense(32, activation="relu", kernel_initializer=initializers.HeNormal(),
          kernel_regularizer=regularizers.l2(0.01)),
    Dense(1, activation="sigmoid", kernel_initializer="zeros", bias_initializer=initializers.Constant(0.1)),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=10, validation_split=0.2)
