from keras.layers import Dense as D, Dropout as Drop
from keras.models import Sequential as Seq

net = Seq([D(16, "relu"), Drop(0.25), D(1, "sigmoid")])
net.compile("sgd", "binary_crossentropy", metrics=["acc"])
net.fit(x, y, 64, 12, validation_split=0.25)
