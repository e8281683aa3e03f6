from keras import Sequential
from keras.layers import Dense

model = Sequential([Dense(4, activation="relu"), Dense(1, activation="sigmoid")])
model.compile(loss="mse")
model.fit(X, y)
