from keras import Sequential
from keras.layers import Dense

model = Sequential()
units = 256
for _ in range(3):
    model.add(Dense(units, activation="relu"))
    units //= 4
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=10, validation_split=0.2)
