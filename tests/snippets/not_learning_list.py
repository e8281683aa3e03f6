import pandas as pd
import tensorflow as tf
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense, Dropout
from tensorflow.keras.callbacks import EarlyStopping

df = pd.read_csv("titanic.csv")
X = df.drop(columns=["survived"]).values
y = df["survived"].values

model = Sequential()
model.add(Dense(32, input_dim=X.shape[1], activation="relu"))
for units in [32, 64, 128, 256]:
    model.add(Dense(units, activation="relu"))
    model.add(Dropout(0.5))
model.add(Dense(1, activation="softmax"))

model.compile(
    optimizer=tf.keras.optimizers.Adam(learning_rate=0.1),
    loss=tf.keras.losses.BinaryCrossentropy(),
    metrics=[tf.keras.metrics.Accuracy()],
)
early_stopping = EarlyStopping(patience=2)
history = model.fit(X, y, batch_size=32, epochs=20, validation_split=0.1, callbacks=[early_stopping])
