from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense, Dropout
from tensorflow.keras.optimizers import Adam

HIDDEN = 48
DROPOUT = 0.1
LEARNING_RATE = 1e-3 * 3
EPOCHS = 25
BATCH = 2 ** 6

model = Sequential()
model.add(Dense(HIDDEN, activation="relu"))
model.add(Dropout(DROPOUT))
model.add(Dense(HIDDEN // 2, activation="relu"))
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer=Adam(LEARNING_RATE), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=EPOCHS, batch_size=BATCH, validation_split=0.2)
