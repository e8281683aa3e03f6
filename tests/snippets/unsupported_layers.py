from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense, Flatten, Conv1D

model = Sequential([
    Flatten(),
    Conv1D(8, 3),
    Dense(16, activation="relu", kernel_constraint="max_norm"),
    Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"], run_eagerly=True)
model.fit(X, y, epochs=10, validation_split=0.2, validation_data=(X_val, y_val), steps_per_epoch=20)
