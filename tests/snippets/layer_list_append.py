from keras import Sequential
from keras.layers import Dense, Dropout

stack = []
for depth in range(3):
    stack.append(Dense(64 // 2**depth, activation="relu", name=f"hidden_{depth}"))
    stack.append(Dropout(0.1 * (depth + 1)))
stack.append(Dense(1, activation="sigmoid"))
model = Sequential(stack)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=10, validation_split=0.2)
