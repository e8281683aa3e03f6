import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from tensorflow import keras

np.random.seed(42)
keras.utils.set_random_seed(42)
df = pd.read_csv("train.csv")
df = df.fillna(0)
X = df[["Pclass", "Age", "Fare"]].values
y = df["Survived"].values
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)

model = keras.Sequential([keras.layers.Dense(X.shape[1] * 4, activation="relu"),
                          keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.summary()
model.fit(X_train, y_train, epochs=10, validation_split=0.2)
print(model.evaluate(X_test, y_test))
