"""A decoder's clock: append to every step of a sequence a one-hot vector saying which step it is.

A decoder fed by ``RepeatVector`` gets the same input at every step, so it has to count the steps in
its own state to know which row of a digit it is writing. Appending the step number as a one-hot
vector hands it that count; the encoder's code still carries everything about the digit itself.
"""

from __future__ import annotations

import keras

from dlnotes.validation import positive_int


@keras.saving.register_keras_serializable(package="dlnotes")
class TimeStepOneHot(keras.layers.Layer):
    """(batch, steps, features) -> (batch, steps, features + steps): step t gets the one-hot vector e_t.

    Args:
        steps: the sequence length the layer is built for (every input must have exactly this many steps).
    """

    def __init__(self, steps: int, **kwargs):
        super().__init__(**kwargs)
        self.steps = positive_int("TimeStepOneHot", "steps", steps)

    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[1] not in (None, self.steps):
            raise ValueError(
                f"TimeStepOneHot: expected inputs (batch, {self.steps} steps, features), got shape {tuple(input_shape)}; "
                f"pass steps={input_shape[1] if len(input_shape) == 3 else '<sequence length>'} or reshape the input"
            )

    def call(self, inputs):
        clock = keras.ops.eye(self.steps, dtype=inputs.dtype)[None]  # (1, steps, steps): row t is e_t
        clock = keras.ops.broadcast_to(clock, (keras.ops.shape(inputs)[0], self.steps, self.steps))
        return keras.ops.concatenate([inputs, clock], axis=-1)

    def compute_output_shape(self, input_shape):
        features = None if input_shape[-1] is None else input_shape[-1] + self.steps
        return (input_shape[0], self.steps, features)

    def get_config(self):
        return {**super().get_config(), "steps": self.steps}
