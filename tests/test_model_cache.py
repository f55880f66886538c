"""The trained-model cache: keys, a second fit loaded instead of trained, what changes the key, broken files."""

import keras
import numpy as np
import pytest

from dlnotes import model_cache
from dlnotes.callbacks import EpochScore, EpochTimer, GradientNormLog, WeightsAtEpoch

X = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
Y = X.sum(axis=1)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache folder, switched on (the test session runs with the cache off)."""
    monkeypatch.setenv("DLNOTES_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("DLNOTES_CACHE", "on")
    return tmp_path / "models"


def fresh_model(units=4):
    """The same model, initial weights and random state on every call, as in a restarted kernel."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,), name="x"), keras.layers.Dense(units, activation="tanh", name="hidden"),
         keras.layers.Dropout(0.1, name="drop"), keras.layers.Dense(1, name="out")],
        name="tiny",
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


def cached_fit(model=None, callbacks=None, **arguments):
    model = model or fresh_model()
    history = model_cache.fit(model, X, Y, epochs=arguments.pop("epochs", 2), batch_size=16, callbacks=callbacks,
                              progress=False, **arguments)
    return model, history


def test_fingerprint_depends_on_content_type_and_shape():
    a = np.arange(6, dtype="float32")
    assert model_cache.fingerprint(a, {"b": 1, "a": [2.0, None]}) == model_cache.fingerprint(a.copy(), {"a": [2.0, None], "b": 1})
    assert model_cache.fingerprint(a) != model_cache.fingerprint(a.reshape(2, 3))
    assert model_cache.fingerprint(a) != model_cache.fingerprint(a.astype("float64"))
    assert model_cache.fingerprint(1) != model_cache.fingerprint(1.0) != model_cache.fingerprint("1")
    with pytest.raises(TypeError, match="cannot identify a object by its content"):
        model_cache.fingerprint(object())


def test_the_switch_and_the_folder_follow_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DLNOTES_CACHE_DIR", str(tmp_path))
    assert model_cache.cache_dir() == tmp_path
    monkeypatch.delenv("DLNOTES_CACHE_DIR")
    assert model_cache.cache_dir().parts[-2:] == (".cache", "dlnotes")
    monkeypatch.setenv("DLNOTES_CACHE", "OFF")
    assert not model_cache.cache_enabled()
    monkeypatch.setenv("DLNOTES_CACHE", "maybe")
    with pytest.raises(ValueError, match="DLNOTES_CACHE must be 'on' or 'off', got 'maybe'"):
        model_cache.cache_enabled()


def test_bad_arguments_are_named(cache):
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        model_cache.fit("model", X, Y)
    uncompiled = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compile 'sequential.*' before fitting it"):
        model_cache.fit(uncompiled, X, Y)
    with pytest.raises(TypeError, match=r"unexpected argument\(s\) \['epoch'\]"):
        model_cache.fit(fresh_model(), X, Y, epoch=3)
    with pytest.raises(TypeError, match="LambdaCallback has no cache_state"):
        model_cache.fit(fresh_model(), X, Y, callbacks=[keras.callbacks.LambdaCallback()])
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((X, Y)).batch(16)
    with pytest.raises(ValueError, match="pass data_key="):
        model_cache.fit(fresh_model(), dataset)
    with pytest.raises(TypeError, match="retrain must be True or False"):
        model_cache.fit(fresh_model(), X, Y, retrain="yes")
    with pytest.raises(ValueError, match="name must be a non-empty str"):
        model_cache.restore_or_train(" ", 1, build=None, train=None)


@pytest.mark.slow  # trains small models
def test_a_second_fit_loads_the_model_its_history_and_its_callbacks(cache, capsys):
    output_sum = EpochScore(lambda m: m.predict(X, verbose=0).sum(), "sum")
    first_callbacks = [EpochTimer(), WeightsAtEpoch(1), GradientNormLog(), output_sum]
    trained, first = cached_fit(callbacks=first_callbacks, validation_split=0.25)
    after_training = np.random.rand(), keras.random.uniform(()).numpy()
    assert "trained and cached: tiny" in capsys.readouterr().out

    again = [EpochTimer(), WeightsAtEpoch(1), GradientNormLog(), EpochScore(lambda m: 0.0, "sum")]
    loaded, second = cached_fit(callbacks=again, validation_split=0.25)
    assert "loaded from cache: tiny" in capsys.readouterr().out
    assert second.history == first.history and second.epoch == [0, 1] and second.params["epochs"] == 2
    for a, b in zip(trained.variables + trained.optimizer.variables, loaded.variables + loaded.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert again[0].seconds == first_callbacks[0].seconds and again[2].norms == first_callbacks[2].norms
    assert again[3].scores == first_callbacks[3].scores and len(again[3].scores) == 2  # measured, not recomputed
    for a, b in zip(again[1].weights, first_callbacks[1].weights):
        np.testing.assert_array_equal(a, b)
    # the random generators continue from where training left them, so later cells draw the same numbers
    assert (np.random.rand(), keras.random.uniform(()).numpy()) == after_training
    assert len(list(cache.glob("tiny-*.npz"))) == 1


@pytest.mark.slow  # trains small models
@pytest.mark.parametrize(
    "change",
    ["epochs", "data", "architecture", "seed", "optimizer", "callback"],
)
def test_what_decides_the_training_changes_the_key(cache, capsys, change):
    cached_fit()
    model = fresh_model(units=5) if change == "architecture" else fresh_model()
    if change == "seed":
        keras.utils.set_random_seed(1)  # same weights, another shuffle
    if change == "optimizer":
        model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse", metrics=["mae"])
    arguments = {"epochs": 3} if change == "epochs" else {}
    callbacks = [WeightsAtEpoch(1)] if change == "callback" else None
    data = X * 2 if change == "data" else X
    model_cache.fit(model, data, Y, batch_size=16, progress=False, callbacks=callbacks, **{"epochs": 2, **arguments})
    output = capsys.readouterr().out
    assert output.count("trained and cached: tiny") == 2 and "loaded" not in output
    assert len(list(cache.glob("tiny-*.npz"))) == 2


@pytest.mark.slow  # trains small models
@pytest.mark.parametrize("damage", ["truncated arrays", "bad description", "other shapes"])
def test_a_broken_entry_is_trained_again(cache, capsys, damage):
    trained, first = cached_fit()
    (npz,) = cache.glob("tiny-*.npz")
    if damage == "truncated arrays":
        npz.write_bytes(npz.read_bytes()[:100])
    elif damage == "bad description":
        npz.with_suffix(".json").write_text("{not json")
    else:
        np.savez(npz, **{"variable/0000": np.zeros((7, 7))})
    capsys.readouterr()
    retrained, second = cached_fit()
    output = capsys.readouterr().out
    assert "is not usable" in output and "training it again" in output and "trained and cached: tiny" in output
    assert second.history == first.history  # trained anew, with the same result
    capsys.readouterr()
    cached_fit()
    assert "loaded from cache: tiny" in capsys.readouterr().out  # the entry was rewritten


@pytest.mark.slow  # trains small models
def test_retrain_and_the_switch(cache, capsys, monkeypatch):
    cached_fit()
    cached_fit(retrain=True)
    assert capsys.readouterr().out.count("trained and cached") == 2
    monkeypatch.setenv("DLNOTES_CACHE", "off")
    cached_fit()
    assert "trained: tiny (the cache is off" in capsys.readouterr().out


def test_callback_states_survive_the_round_trip_through_named_arrays():
    from dlnotes.models.gan import TrainingSnapshots

    snapshots = TrainingSnapshots(np.zeros((2, 3)), verbose=False)
    snapshots.images = [np.full((2, 4), i, dtype="float32") for i in range(3)]
    timer = EpochTimer()
    timer.seconds = [1.5, 0.25]
    arrays = model_cache._flatten("callback/0", snapshots.cache_state()) | model_cache._flatten("callback/1", timer.cache_state())
    again, timer_again = TrainingSnapshots(np.zeros((2, 3)), verbose=False), EpochTimer()
    again.restore_cache_state(model_cache._unflatten("callback/0", arrays))
    timer_again.restore_cache_state(model_cache._unflatten("callback/1", arrays))
    assert len(again.images) == 3 and all(np.array_equal(a, b) for a, b in zip(again.images, snapshots.images))
    assert timer_again.seconds == [1.5, 0.25]
    empty = TrainingSnapshots(np.zeros((2, 3)), verbose=False)
    empty.restore_cache_state(model_cache._unflatten("callback/0", model_cache._flatten("callback/0", empty.cache_state())))
    assert empty.images == []


def test_the_key_ignores_keras_numbering_of_default_names_but_not_the_structure():
    def functional(skip):
        inputs = keras.Input((3,))
        hidden = keras.layers.Dense(4)(inputs)
        outputs = keras.layers.Dense(2)(keras.layers.Concatenate()([hidden, inputs]) if skip else hidden)
        return keras.Model(inputs, outputs)

    first, second = functional(skip=True), functional(skip=True)  # dense_N and dense_M: other numbers
    assert first.layers[1].name != second.layers[1].name
    key = [model_cache.fingerprint(model_cache._architecture(m)) for m in (first, second, functional(skip=False))]
    assert key[0] == key[1] != key[2]
