import tensorflow as tf

model = tf.keras.models.Sequential()
model.add(tf.keras.layers.Dense(10, activation=tf.nn.relu))
model.add(tf.keras.layers.Dense(1, activation=tf.keras.activations.sigmoid))
model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
              loss=tf.keras.losses.binary_crossentropy, metrics=[tf.keras.metrics.binary_accuracy])
model.fit(X, y, epochs=8, batch_size=8, validation_split=0.15)
