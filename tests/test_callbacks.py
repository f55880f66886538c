"""Epoch timing, weight snapshots and gradient norms during fit."""

import json
import re
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from dlnotes.callbacks import EpochProgress, EpochScore, EpochTimer, GradientNormLog, WeightsAtEpoch, format_logs

X = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
Y = X.sum(axis=1)


def tiny_model(optimizer=None, **compile_options):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(1)])
    model.compile(optimizer=optimizer or keras.optimizers.SGD(0.1), loss="mse", **compile_options)
    return model


def tiny_fit(callbacks, epochs=3, model=None):
    model = model or tiny_model()
    model.fit(X, Y, epochs=epochs, batch_size=8, shuffle=False, verbose=0, callbacks=callbacks)
    return model


@pytest.mark.slow  # trains a model
def test_timer_records_one_positive_time_per_epoch():
    timer = EpochTimer()
    tiny_fit([timer], epochs=3)
    assert len(timer.seconds) == 3 and all(s > 0 for s in timer.seconds)
    assert timer.steady_seconds() == pytest.approx(np.median(timer.seconds[1:]))


def test_timer_before_fit_raises():
    with pytest.raises(RuntimeError, match="no epoch"):
        EpochTimer().steady_seconds()


@pytest.mark.slow  # trains a model
def test_snapshot_holds_the_weights_of_that_epoch():
    after_one, after_three = WeightsAtEpoch(1), WeightsAtEpoch(3)
    model = tiny_fit([after_one, after_three], epochs=3)
    for final, snapshot in zip(model.get_weights(), after_three.weights):
        np.testing.assert_array_equal(final, snapshot)
    assert not np.allclose(after_one.weights[0], after_three.weights[0]), "training moved the weights"


def test_snapshot_epoch_must_be_positive_int():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="positive int"):
            WeightsAtEpoch(bad)


def global_gradient_norm(model, x, y):
    """The global norm of the mean-squared-error gradient on one batch, by hand (tf.GradientTape)."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError()(y, model(x))
    return float(tf.linalg.global_norm(tape.gradient(loss, model.trainable_weights)))


@pytest.mark.slow  # trains a model
def test_gradient_norm_log_has_one_norm_per_step_equal_to_the_gradient_by_hand():
    model, log = tiny_model(), GradientNormLog()
    first = global_gradient_norm(model, X[:8], Y[:8])  # step 1: the initial weights on the first batch
    tiny_fit([log], epochs=2, model=model)
    assert len(log.norms) == 2 * 4  # 32 rows in batches of 8, two epochs
    assert log.norms[0] == pytest.approx(first, rel=1e-5)
    assert len(set(log.norms)) == len(log.norms), "every step logs its own gradient"


@pytest.mark.slow  # trains a model
def test_gradient_norm_is_logged_before_clipping():
    clipped = GradientNormLog()
    tiny_fit([clipped], epochs=1, model=tiny_model(keras.optimizers.SGD(0.1, global_clipnorm=1e-3)))
    unclipped = GradientNormLog()
    tiny_fit([unclipped], epochs=1)
    assert clipped.norms[0] == pytest.approx(unclipped.norms[0], rel=1e-6)  # same start, same first batch
    assert min(clipped.norms) > 1e-3, "the norms are those before the optimizer clips them to 1e-3"


@pytest.mark.slow  # trains a model
@pytest.mark.parametrize("jit_compile", [False, True])
def test_logging_leaves_the_training_unchanged(jit_compile):
    plain = tiny_fit([], model=tiny_model(keras.optimizers.Adam(0.01), jit_compile=jit_compile))
    logged = tiny_fit([GradientNormLog()], model=tiny_model(keras.optimizers.Adam(0.01), jit_compile=jit_compile))
    for a, b in zip(plain.get_weights(), logged.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow  # trains a model
def test_a_second_fit_is_logged_and_the_optimizer_is_restored(tmp_path):
    model, first, second = tiny_model(), GradientNormLog(), GradientNormLog()
    tiny_fit([first], epochs=1, model=model)
    tiny_fit([second], epochs=1, model=model)  # the step was traced before: the log must still see it
    assert len(second.norms) == 4 and len(set(second.norms)) == 4 and second.norms[0] != first.norms[-1]
    assert "apply" not in vars(model.optimizer), "the wrapper is gone after fit"
    model.save(tmp_path / "model.keras")  # a restored optimizer saves and reloads as usual
    reloaded = keras.saving.load_model(tmp_path / "model.keras")
    np.testing.assert_allclose(reloaded.predict(X, verbose=0), model.predict(X, verbose=0), rtol=1e-6)


@pytest.mark.slow  # trains a model
def test_every_step_is_logged_when_steps_run_several_at_a_time():
    one, two = GradientNormLog(), GradientNormLog()
    tiny_fit([one], epochs=2)
    tiny_fit([two], epochs=2, model=tiny_model(steps_per_execution=2))
    np.testing.assert_allclose(two.norms, one.norms, rtol=1e-6)


def test_gradient_norm_log_needs_the_number_of_steps():
    import tensorflow as tf

    unknown_length = tf.data.Dataset.from_tensor_slices((X, Y)).batch(8).filter(lambda x, y: True)
    with pytest.raises(ValueError, match="steps per epoch"):
        tiny_model().fit(unknown_length, epochs=1, verbose=0, callbacks=[GradientNormLog()])


# Runs in a fresh interpreter: logical devices must be configured before TensorFlow initialises its devices.
TWO_REPLICAS = textwrap.dedent(
    """
    import json
    from dlnotes.distribute import split_cpu

    split_cpu(2)
    import keras
    import numpy as np
    import tensorflow as tf
    from dlnotes.callbacks import GradientNormLog

    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with tf.GradientTape() as tape:  # the first batch's gradient, on one device
        loss = keras.losses.MeanSquaredError()(x[:8].sum(axis=1), model(x[:8]))
    by_hand = float(tf.linalg.global_norm(tape.gradient(loss, model.trainable_weights)))
    start = model.get_weights()
    with tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope():
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.set_weights(start)
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    log = GradientNormLog()
    model.fit(x, x.sum(axis=1), batch_size=8, shuffle=False, epochs=1, verbose=0, callbacks=[log])
    print("RESULT " + json.dumps({"replicas": model.distribute_strategy.num_replicas_in_sync,
                                  "by_hand": by_hand, "norms": log.norms}))
    """
)


@pytest.mark.slow  # trains a model
def test_gradient_norm_under_two_replicas_is_that_of_the_whole_batch(tmp_path):
    script = tmp_path / "two_replicas.py"
    script.write_text(TWO_REPLICAS)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line.removeprefix("RESULT "))
    assert result["replicas"] == 2 and len(result["norms"]) == 4
    # each replica holds half the batch; the norm logged is that of the summed gradient, not of one half
    assert result["norms"][0] == pytest.approx(result["by_hand"], rel=1e-5)


@pytest.mark.slow  # trains a model
def test_progress_prints_one_line_per_epoch_with_every_logged_number():
    lines = []
    progress = EpochProgress(label="tiny", echo=lines.append)
    model = tiny_model(metrics=["mae"])
    model.fit(X, Y, epochs=2, batch_size=8, validation_split=0.25, shuffle=False, verbose=0, callbacks=[progress])
    assert len(lines) == 2 and len(progress.seconds) == 2
    pattern = r"tiny: epoch 2/2: loss \d\.\d+(e-\d+)?, mae [\d.]+, val_loss [\d.]+, val_mae [\d.]+ \(\d+\.\d s\)"
    assert re.fullmatch(pattern, lines[1]), lines[1]


@pytest.mark.slow  # trains a model
def test_progress_inside_a_long_epoch_prints_the_step_reached():
    lines = []
    tiny_fit([EpochProgress(every_seconds=1e-9, echo=lines.append)], epochs=1)  # every step is "long"
    assert re.fullmatch(r"epoch 1/1: step 1/4, loss [\d.]+ \(\d+ s\)", lines[0]), lines[0]
    assert len(lines) == 5 and lines[-1].startswith("epoch 1/1: loss")


def test_progress_and_score_check_their_arguments():
    with pytest.raises(ValueError, match="every_seconds must be a positive number, got 0"):
        EpochProgress(every_seconds=0)
    with pytest.raises(TypeError, match="label must be a str"):
        EpochProgress(label=3)
    with pytest.raises(TypeError, match="score must be a function of the model"):
        EpochScore(0.5, "score")
    with pytest.raises(ValueError, match="name must be a non-empty str"):
        EpochScore(lambda model: 0.0, "")
    assert format_logs({"loss": np.float32(0.123456), "accuracy": 1}) == "loss 0.1235, accuracy 1"


@pytest.mark.slow  # trains a model
def test_score_is_computed_once_per_epoch():
    score = EpochScore(lambda model: float(model.predict(X[:4], verbose=0).sum()), "sum of 4 outputs")
    model = tiny_fit([score], epochs=3)
    assert len(score.scores) == 3
    assert score.scores[-1] == pytest.approx(float(model.predict(X[:4], verbose=0).sum()), rel=1e-6)
