from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense

model = Sequential()
for units in [128, 64, 32]:
    model.add(Dense(units, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=10, validation_split=0.2)
