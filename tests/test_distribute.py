"""The strategy helper: which strategy it picks and why, and chapter 03's model trained under MirroredStrategy."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from dlnotes.distribute import build_strategy, choose_strategy, cluster_workers, pick_strategy, split_cpu

TWO_WORKERS = json.dumps({"cluster": {"worker": ["a:1", "b:1"]}, "task": {"type": "worker", "index": 0}})


def no_tpu():
    return None, "no local TPU devices"


def must_not_probe():
    raise AssertionError("the TPU probe ran although no TPU was in question")


def choose(prefer=None, env=None, gpus=0, cpus=1, find_tpu=no_tpu):
    return choose_strategy(prefer, environ=env or {}, gpus=gpus, cpus=cpus, find_tpu=find_tpu)


@pytest.mark.parametrize(
    ("gpus", "env", "tpu", "kind", "reason"),
    [
        (0, {}, None, "default", "the CPU; no TPU, no multi-worker TF_CONFIG, fewer than two GPUs"),
        (1, {}, None, "default", "one GPU; no TPU, no multi-worker TF_CONFIG, fewer than two GPUs"),
        (2, {}, None, "mirrored", "2 GPU(s)"),
        (4, {"TF_CONFIG": TWO_WORKERS}, None, "multiworker", "TF_CONFIG describes 2 workers"),
        (4, {"TF_CONFIG": TWO_WORKERS}, "fake-resolver", "tpu", "a TPU was found: grpc://10.0.0.2:8470"),
    ],
)
def test_auto_prefers_tpu_then_workers_then_gpus(gpus, env, tpu, kind, reason):
    choice = choose(env=env, gpus=gpus, find_tpu=lambda: (tpu, "grpc://10.0.0.2:8470" if tpu else "none"))
    assert (choice.kind, choice.reason) == (kind, reason)
    assert choice.devices is None and choice.resolver == tpu


def test_environment_overrides_the_argument_and_skips_the_tpu_probe():
    choice = choose(prefer="mirrored", env={"DLNOTES_STRATEGY": " Default "}, gpus=2, find_tpu=must_not_probe)
    assert (choice.kind, choice.reason) == ("default", "one device (2 GPUs are visible) (DLNOTES_STRATEGY=Default)")
    assert choose(prefer="default", gpus=2, find_tpu=must_not_probe).kind == "default"


def test_mirrored_without_gpus_uses_the_logical_cpus():
    choice = choose(env={"DLNOTES_STRATEGY": "mirrored"}, cpus=2, find_tpu=must_not_probe)
    assert choice.kind == "mirrored" and choice.devices == ("/device:CPU:0", "/device:CPU:1")
    assert choice.reason == "no GPU: mirrored over 2 logical CPU device(s) (DLNOTES_STRATEGY=mirrored)"
    one = choose(prefer="mirrored", cpus=1, find_tpu=must_not_probe)
    assert one.devices == ("/device:CPU:0",) and "split_cpu makes more" in one.reason


def test_forced_choices_that_cannot_be_met_say_why():
    with pytest.raises(RuntimeError, match=r"TPU strategy was asked for \(DLNOTES_STRATEGY=tpu\) but no TPU was found: no local"):
        choose(env={"DLNOTES_STRATEGY": "tpu"})
    with pytest.raises(
        ValueError, match=r"multi-worker strategy was asked for \(prefer='multiworker'\) but TF_CONFIG describes 0"
    ):
        choose(prefer="multiworker", find_tpu=must_not_probe)


def test_bad_values_are_named():
    with pytest.raises(
        ValueError, match="variable DLNOTES_STRATEGY must be one of auto, default, mirrored, multiworker, tpu; got 'gpu'"
    ):
        choose(env={"DLNOTES_STRATEGY": "gpu"})
    with pytest.raises(ValueError, match=r"pick_strategy\(prefer=...\) must be one of .*; got 2"):
        choose(prefer=2)
    with pytest.raises(ValueError, match="gpus must be a non-negative int, got -1"):
        choose(gpus=-1)
    with pytest.raises(ValueError, match="TF_CONFIG must be JSON"):
        cluster_workers("{worker: a}")
    with pytest.raises(ValueError, match="must hold a 'cluster' object"):
        cluster_workers('{"task": {}}')
    with pytest.raises(ValueError, match="parameter servers"):
        cluster_workers('{"cluster": {"worker": ["a:1"], "ps": ["b:1"]}}')
    with pytest.raises(ValueError, match="count must be a positive int, got 0"):
        split_cpu(0)
    with pytest.raises(TypeError, match="expected a StrategyChoice, got str"):
        build_strategy("mirrored")


def test_cluster_workers_counts_chief_and_workers():
    assert cluster_workers(None) == cluster_workers(" ") == 0
    assert cluster_workers(json.dumps({"cluster": {"chief": ["c:1"], "worker": ["a:1", "b:1"]}})) == 3


def test_pick_strategy_prints_its_choice(monkeypatch):
    monkeypatch.setenv("DLNOTES_STRATEGY", "default")
    lines = []
    strategy = pick_strategy(echo=lines.append)
    assert strategy.num_replicas_in_sync == 1
    assert lines == [f"dlnotes: {type(strategy).__name__} (1 replica(s)): the CPU (DLNOTES_STRATEGY=default)"]


# Runs in a fresh interpreter: logical devices must be configured before TensorFlow initialises its devices.
TRAIN_BOTH_WAYS = textwrap.dedent(
    """
    import json, os
    from dlnotes.distribute import pick_strategy, split_cpu

    split_cpu(2)
    import keras
    import numpy as np
    from dlnotes.data import mnist_row_datasets


    def reference_model():  # chapter 03's recipe: SimpleRNN(128) over the 28 rows, then Dense(10, softmax)
        return keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.SimpleRNN(128, name="rnn"),
                                 keras.layers.Dense(10, activation="softmax", name="classifier")])


    def train(kind, initial, optimizer, steps=None, losses=("after",)):
        # one epoch (or `steps` batches) under the strategy `kind`; the test loss "before" and/or "after"
        os.environ["DLNOTES_STRATEGY"] = kind
        strategy = pick_strategy()
        # the chapter's pipeline on 2,000 images (1,400 train) without shuffling: a distributed dataset is
        # rewritten for the replicas, and a seeded shuffle does not give the same order in both runs
        train_ds, _, test_ds = mnist_row_datasets(train_limit=2000, test_limit=500, shuffle_buffer=1)
        with strategy.scope():
            model = reference_model()
            if initial is not None:
                model.set_weights(initial)
            model.compile(optimizer=optimizer(), loss="sparse_categorical_crossentropy")
        run = {"replicas": strategy.num_replicas_in_sync, "start": model.get_weights()}
        if "before" in losses:
            run["before"] = model.evaluate(test_ds, verbose=0)
        model.fit(train_ds.take(steps) if steps else train_ds, epochs=1, verbose=0)
        if "after" in losses:
            run["after"] = model.evaluate(test_ds, verbose=0)
        run["end"] = model.get_weights()
        return run


    # optimizers are made inside the strategy's scope, so train() takes a function that makes one
    ADAM, SGD = (lambda: keras.optimizers.Adam(1e-3)), (lambda: keras.optimizers.SGD(0.1))


    def max_diff(a, b):
        return max(float(np.max(np.abs(x - y))) for x, y in zip(a, b))


    keras.utils.set_random_seed(0)
    single = train("default", None, ADAM, losses=("before", "after"))
    mirrored = train("mirrored", single["start"], ADAM)
    result = {"adam": {"replicas": mirrored["replicas"], "loss_before": single["before"], "loss_single": single["after"],
                       "loss_mirrored": mirrored["after"], "weight_change": max_diff(single["start"], single["end"]),
                       "weight_diff": max_diff(single["end"], mirrored["end"])}}
    # one plain SGD step from the same start (no test losses: they cost time and say nothing here)
    single = train("default", single["start"], SGD, steps=1, losses=())
    mirrored = train("mirrored", single["start"], SGD, steps=1, losses=())
    result["sgd_one_step"] = {"weight_change": max_diff(single["start"], single["end"]),
                              "weight_diff": max_diff(single["end"], mirrored["end"])}
    try:
        split_cpu(3)
    except RuntimeError as exc:
        result["late_split_error"] = str(exc)
    print("RESULT " + json.dumps(result))
    """
)


def run_script(folder, name: str, source: str) -> tuple[list[str], str]:
    """Run ``source`` in a fresh interpreter (devices are configured before TF starts); its RESULT lines and stdout."""
    script = folder / name
    script.write_text(source)
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CONFIG", "DLNOTES_STRATEGY")}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    results = [line.removeprefix("RESULT ") for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    return results, done.stdout


@pytest.fixture(scope="module")
def trained_both_ways(tmp_path_factory):
    (line,), stdout = run_script(tmp_path_factory.mktemp("distribute"), "train_both_ways.py", TRAIN_BOTH_WAYS)
    return json.loads(line), stdout


@pytest.mark.slow
def test_mirrored_over_two_cpus_trains_like_one_device(trained_both_ways):
    result, stdout = trained_both_ways
    assert "MirroredStrategy (2 replica(s)): no GPU: mirrored over 2 logical CPU device(s) (DLNOTES_STRATEGY=mirrored)" in stdout
    adam = result["adam"]
    assert adam["replicas"] == 2
    # it learns: one epoch on 1,400 digits takes the test loss from chance (ln 10 = 2.3) to well below
    assert adam["loss_before"] > 2.0 and adam["loss_single"] < 0.7 * adam["loss_before"]
    assert adam["weight_change"] > 0.01
    # Same start, same batches, same global batch of 32 (16 per replica): the only difference is the order
    # of floating-point sums (each replica sums its 16 examples' gradients, then the all-reduce adds the two
    # partial sums), so results agree to float32 rounding (measured about 1e-7), not bitwise.
    assert adam["weight_diff"] < 1e-5, adam
    assert adam["loss_mirrored"] == pytest.approx(adam["loss_single"], rel=1e-5)


@pytest.mark.slow
def test_mirrored_step_is_the_mean_gradient_over_the_global_batch(trained_both_ways):
    # Adam is blind to a constant gradient scale; one SGD step is not: summing instead of averaging the
    # replicas' gradients would take a step twice as long (weight_diff about weight_change)
    sgd = trained_both_ways[0]["sgd_one_step"]
    assert sgd["weight_change"] > 1e-3 and sgd["weight_diff"] < 1e-4 * sgd["weight_change"], sgd


@pytest.mark.slow
def test_splitting_after_initialisation_says_what_to_do(trained_both_ways):
    message = trained_both_ways[0]["late_split_error"]
    assert message.startswith("split_cpu(3): TensorFlow has already initialised its devices (2 logical CPU device(s))")
    assert "call split_cpu first" in message


SETUP_UNDER_MIRRORED = textwrap.dedent(
    """
    import os
    from dlnotes.distribute import split_cpu

    split_cpu(2)
    import keras
    import numpy as np
    import dlnotes

    def trained_model():  # built with no strategy.scope(), as every chapter does
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(np.random.rand(64, 4), np.random.randint(0, 3, 64), batch_size=16, verbose=0)
        return model

    os.environ["DLNOTES_STRATEGY"] = "mirrored"
    info = dlnotes.setup(seed=0)
    print("RESULT", info["strategy"], type(trained_model().distribute_strategy).__name__)
    os.environ["DLNOTES_STRATEGY"] = "default"
    info = dlnotes.setup(seed=0)
    print("RESULT", info["strategy"], type(trained_model().distribute_strategy).__name__)
    """
)


@pytest.mark.slow
def test_setup_makes_unchanged_notebook_code_train_under_the_strategy(tmp_path):
    lines, stdout = run_script(tmp_path, "setup_under_mirrored.py", SETUP_UNDER_MIRRORED)
    results = [line.split() for line in lines]
    assert results[0] == ["MirroredStrategy", "(2", "replica(s))", "MirroredStrategy"]
    assert results[1][0] == "_DefaultDistributionStrategy" and results[1][-1] != "MirroredStrategy"
    assert "Models are built and trained under MirroredStrategy" in stdout


VAE_STEP_BOTH_WAYS = textwrap.dedent(
    """
    import json, os
    from dlnotes.distribute import pick_strategy, split_cpu

    split_cpu(2)
    import keras
    import numpy as np
    from dlnotes.models import build_vae

    x = (np.random.default_rng(0).random((32, 28, 28)) > 0.5).astype("float32")

    def one_sgd_step(kind, initial):
        os.environ["DLNOTES_STRATEGY"] = kind
        with pick_strategy(echo=None).scope():
            vae = build_vae(2, hidden=(16,), seed=0)
            vae(x[:1])
            if initial is None:  # no noise: z_log_var = -40 everywhere, so each replica's z is its z_mean
                head = vae.encoder.get_layer("z_log_var")
                head.set_weights([np.zeros_like(w) for w in head.get_weights()])
                head.bias.assign(np.full(2, -40.0, "float32"))
            else:
                vae.set_weights(initial)
            vae.compile(optimizer=keras.optimizers.SGD(1e-3))
        start = vae.get_weights()
        vae.fit(x, epochs=1, batch_size=32, shuffle=False, verbose=0)
        return start, vae.get_weights()

    start, single = one_sgd_step("default", None)
    _, mirrored = one_sgd_step("mirrored", start)
    print("RESULT " + json.dumps({
        "change": max(float(np.max(np.abs(a - b))) for a, b in zip(start, single)),
        "diff": max(float(np.max(np.abs(a - b))) for a, b in zip(single, mirrored)),
    }))
    """
)


@pytest.mark.slow
def test_vae_training_step_takes_the_same_step_on_two_replicas(tmp_path):
    # the VAE has its own train_step: without dividing its loss by the replicas, the summed gradients
    # would make the mirrored step twice the single-device one (diff about equal to change)
    (line,), _ = run_script(tmp_path, "vae_step.py", VAE_STEP_BOTH_WAYS)
    result = json.loads(line)
    assert result["change"] > 1e-4, result  # the step moved the weights
    assert result["diff"] < 1e-3 * result["change"], result
