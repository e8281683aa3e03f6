from keras import Sequential
from keras.layers import Dense

weights = {0: 1.0, 1: 2.5}
model = Sequential([Dense(16, activation="relu"), Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=10, batch_size=128, validation_split=0.2, shuffle=False, class_weight=weights)
