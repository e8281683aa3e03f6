from keras import Sequential
from keras.layers import Dense, Dropout

USE_DROPOUT = True
model = Sequential()
n = 0
while n < 3:
    n += 1
for i in range(3):
    model.add(Dense(16, activation="relu"))
    if USE_DROPOUT and i < 2:
        model.add(Dropout(0.2))
    else:
        continue
model.add(Dense(1, activation="sigmoid"))
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=10, validation_split=0.2)
