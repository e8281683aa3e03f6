from keras.models import Sequential
from keras.layers import Dense
from keras.callbacks import EarlyStopping, ReduceLROnPlateau

early = EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True, verbose=1)
plateau = ReduceLROnPlateau(factor=0.5, patience=2)
callbacks = [early, plateau]
model = Sequential([Dense(32, activation="relu"), Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=100, validation_split=0.2, callbacks=callbacks)
