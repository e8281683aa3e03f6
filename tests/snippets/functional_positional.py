from keras import Input, Model
from keras.layers import Dense

inp = Input((7,))
hidden = Dense(12, "relu")(inp)
out = Dense(1, "sigmoid")(hidden)
model = Model(inp, out)
model.compile(loss="binary_crossentropy", optimizer="adam")
model.fit(X, y, validation_split=0.2, epochs=3)
