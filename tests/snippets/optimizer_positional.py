import tensorflow as tf

opt = tf.keras.optimizers.SGD(0.1, 0.8, True)
model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="selu"), tf.keras.layers.Dense(1, activation="sigmoid")])
model.compile(opt, "binary_crossentropy", metrics=["accuracy", "AUC"])
model.fit(X, y, epochs=10, validation_split=0.2)
