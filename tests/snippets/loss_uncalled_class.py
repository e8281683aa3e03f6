from keras.models import Sequential
from keras.layers import Dense
from keras.losses import BinaryCrossentropy
from keras.metrics import Precision, Recall

model = Sequential([Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=BinaryCrossentropy, metrics=[Precision(), Recall(thresholds=0.4)])
model.fit(X, y, epochs=4, validation_split=0.2)
