from tensorflow.keras.layers import *
from tensorflow.keras.models import *
from tensorflow.keras.optimizers import *

model = Sequential([Dense(12, activation="relu"), Dropout(0.4), Dense(1, activation="sigmoid")])
model.compile(optimizer=Adagrad(learning_rate=0.05), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=7, validation_split=0.2)
