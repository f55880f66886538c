"""Where the full course spends its time, and what XLA compilation saves there: before and after, in one run.

    python benchmarks/training_speed.py            # 3 rounds of 150 steps per model and setting: about 10 minutes
    python benchmarks/training_speed.py --quick    # 1 round of 40 steps: a minute or two

The profile: the slowest cells of every chapter's last full run (benchmarks/results/full_*.json,
recorded by the runner) are almost all training loops. This script rebuilds the model of each hot
loop that trains without XLA as the course first shipped it, and times the same training steps
compiled as before (``jit_compile=False``: TensorFlow's graph executor, Keras's default on a CPU) and
after (``jit_compile=True``: one XLA program per step), both fed NumPy arrays as the chapters do;
a third setting adds a tf.data pipeline (cache, shuffle, prefetch) to the XLA step. Chapters 02
and 03 compile with XLA already (``benchmarks/rnn_speed.py`` measures them). XLA does not pay
everywhere: on a CPU it draws random numbers slowly, so chapter 06's denoising autoencoders, which
draw noise for every input pixel in every step, train without it; their row here shows why.

Every setting of a model is built and warmed up first, so compilation is not timed. In each round
they run in the order A, B, C, C, B, A: a steady drift in the machine's load cancels out. A
speed-up is the median over rounds of (before seconds / setting seconds); CPU seconds of this
process give a second, load-independent view.

Writes benchmarks/results/training_speed.json (or training_speed_quick.json) with the machine and date.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from _results import RESULTS, write_result

# --- the hot training loops, as the chapters build them ------------------------------------------------------------


def chapter01_mlp():
    """Chapter 01: the MLP with batch normalisation and dropout, 784-256-256-10, batch 128."""
    import keras

    layers = [keras.Input(shape=(784,))]
    for _ in range(2):
        layers += [keras.layers.Dense(256, use_bias=False), keras.layers.BatchNormalization(),
                   keras.layers.Activation("relu"), keras.layers.Dropout(0.3)]
    model = keras.Sequential(layers + [keras.layers.Dense(10, activation="softmax")])
    return model, {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}, "labels", 128


def chapter06_deep_autoencoder():
    """Chapter 06: the deep autoencoder 784-1000-500-250-30-250-500-1000-784, batch 256."""
    import keras

    def stack(widths):
        layers = []
        for width in widths:
            layers += [keras.layers.Dense(width, use_bias=False), keras.layers.BatchNormalization(momentum=0.9),
                       keras.layers.ReLU()]
        return layers

    widths = [1000, 500, 250]
    model = keras.Sequential([keras.Input(shape=(784,))] + stack(widths) + [keras.layers.Dense(30)]
                             + stack(widths[::-1]) + [keras.layers.Dense(784, activation="sigmoid")])
    return model, {"loss": "mse"}, "images", 256


def chapter06_denoising_autoencoder():
    """Chapter 06: the denoising autoencoder 784-32-784 with Gaussian noise on its input, batch 128."""
    import keras

    model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.GaussianNoise(0.5),
                              keras.layers.Dense(32, activation="relu"), keras.layers.Dense(784, activation="sigmoid")])
    return model, {"loss": "mse"}, "images", 128


def chapter07_vae():
    """Chapter 07: the MLP VAE (512-256 encoder and decoder, 2-D latent), batch 128."""
    from dlnotes.models import build_vae

    return build_vae(2, seed=0), {}, "binary", 128


def chapter08_dcgan():
    """Chapter 08: the DCGAN (generator 128/64 filters, discriminator 64/128), batch 64."""
    import keras

    from dlnotes.models import build_dcgan

    optimizers = {name: keras.optimizers.Adam(5e-4, beta_1=0.5) for name in ("d_optimizer", "g_optimizer")}
    return build_dcgan(64, (128, 64), (64, 128), seed=0), optimizers, "tanh", 64


def chapter08_mlp_gan():
    """Chapter 08: the MLP GAN (generator 256-512, discriminator 512-256), batch 64."""
    import keras

    from dlnotes.models import build_mlp_gan

    optimizers = {name: keras.optimizers.Adam(5e-4, beta_1=0.5) for name in ("d_optimizer", "g_optimizer")}
    return build_mlp_gan(64, seed=0), optimizers, "tanh", 64


WORKLOADS = {
    "01 MLP (batch norm, dropout)": chapter01_mlp,
    "06 deep autoencoder": chapter06_deep_autoencoder,
    "06 denoising autoencoder (trains without XLA)": chapter06_denoising_autoencoder,
    "07 VAE": chapter07_vae,
    "08 DCGAN": chapter08_dcgan,
    "08 MLP GAN": chapter08_mlp_gan,
}


def training_data(kind: str, rows: int):
    """(x, y) as the chapter feeds its model: y is None where the model needs no targets."""

    from dlnotes.data import load_mnist, to_unit_range

    (images, labels), _ = load_mnist()
    images, labels = images[:rows], labels[:rows]
    flat = to_unit_range(images.reshape(len(images), 784))
    if kind == "labels":
        return flat, labels
    if kind == "images":
        return flat, flat
    if kind == "binary":  # chapter 07 binarises the pixels
        return (images > 127).astype("float32"), None
    if kind == "tanh":
        return (images.astype("float32") / 127.5 - 1.0)[..., None], None
    raise ValueError(f"training_data: unknown kind {kind!r}")


# --- timing ----------------------------------------------------------------------------------------------------------


# name -> (jit_compile, feed): "arrays" is fit(x, y) on NumPy arrays, as the chapters do; "tf.data" a
# pipeline that caches the tensors, reshuffles every epoch and prefetches the next batch while one trains
SETTINGS = {"before": (False, "arrays"), "after": (True, "arrays"), "after + tf.data": (True, "tf.data")}


def build(workload: str, jit: bool):
    import keras

    keras.utils.set_random_seed(0)
    model, compile_options, data_kind, batch_size = WORKLOADS[workload]()
    if "loss" in compile_options:
        compile_options = {"optimizer": "adam", **compile_options}
    model.compile(**compile_options, jit_compile=jit)
    return model, data_kind, batch_size


def feed(x, y, batch_size: int, kind: str) -> dict:
    """fit's keyword arguments for one epoch over (x, y) in the given ``kind`` of input."""
    import tensorflow as tf

    if kind == "arrays":
        return {"x": x, "y": y, "batch_size": batch_size}
    tensors = x if y is None else (x, y)
    dataset = tf.data.Dataset.from_tensor_slices(tensors).cache().shuffle(len(x), seed=0)
    return {"x": dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)}


def measure(workloads: list[str], steps: int, rounds: int, echo=print) -> dict:
    results = {}
    for workload in workloads:
        models, inputs = {}, {}
        for setting, (jit, kind) in SETTINGS.items():
            model, data_kind, batch_size = build(workload, jit)
            x, y = training_data(data_kind, steps * batch_size)
            inputs[setting] = feed(x, y, batch_size, kind)
            start = time.perf_counter()
            model.fit(**feed(x[: 3 * batch_size], None if y is None else y[: 3 * batch_size], batch_size, kind), verbose=0)
            models[setting] = model
            echo(f"{workload}: built '{setting}' (first steps, compilation included: {time.perf_counter() - start:.1f} s)")
        wall = {setting: [] for setting in SETTINGS}
        cpu = {setting: [] for setting in SETTINGS}
        order = list(SETTINGS) + list(SETTINGS)[::-1]  # ABCCBA: a steady drift in load cancels out
        for _ in range(rounds):
            for setting in order:
                start_wall, start_cpu = time.perf_counter(), time.process_time()
                models[setting].fit(**inputs[setting], epochs=1, verbose=0)
                wall[setting].append(time.perf_counter() - start_wall)
                cpu[setting].append(time.process_time() - start_cpu)

        def speedups(times):
            return {s: [b / a for b, a in zip(pairs(times["before"]), pairs(times[s]))] for s in SETTINGS if s != "before"}

        wall_speedups, cpu_speedups = speedups(wall), speedups(cpu)
        results[workload] = {
            "batch_size": batch_size,
            "ms_per_step": {s: round(1000 * statistics.median(v) / steps, 2) for s, v in wall.items()},
            "speedup": {s: round(statistics.median(v), 3) for s, v in wall_speedups.items()},
            "speedup_per_round": {s: [round(r, 3) for r in v] for s, v in wall_speedups.items()},
            "cpu_speedup": {s: round(statistics.median(v), 3) for s, v in cpu_speedups.items()},
        }
        echo(f"{workload}: ms per step " + ", ".join(f"{s} {v}" for s, v in results[workload]["ms_per_step"].items())
             + " | speed-up " + ", ".join(f"{s} {v:.2f}" for s, v in results[workload]["speedup"].items()))
    return results


def pairs(seconds: list[float]) -> list[float]:
    """Each round's two epochs of one setting, summed: [round 1, round 2, ...]."""
    return [seconds[i] + seconds[i + 1] for i in range(0, len(seconds), 2)]


def profile(folder: Path = RESULTS) -> list[dict]:
    """The slowest cells of every chapter's last full run, slowest first."""
    cells = []
    for path in sorted(folder.glob("full_*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        for cell in entry.get("slowest_cells", []):
            cells.append({"chapter": entry["chapter"], "chapter_seconds": entry["seconds"], **cell})
    return sorted(cells, key=lambda c: -c["seconds"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 round of 40 steps: a short check")
    parser.add_argument("--steps", type=int, help="training steps per timed epoch (default 150; quick 40)")
    parser.add_argument("--rounds", type=int, help="rounds, each 4 timed epochs per model (default 3; quick 1)")
    parser.add_argument("--only", help="comma-separated workloads whose name starts so, e.g. 05,06")
    args = parser.parse_args(argv)
    steps = args.steps or (40 if args.quick else 150)
    rounds = args.rounds or (1 if args.quick else 3)
    if steps < 1 or rounds < 1:
        parser.error(f"--steps and --rounds must be positive, got {steps} and {rounds}")
    prefixes = args.only.split(",") if args.only else [""]
    workloads = [w for w in WORKLOADS if any(w.startswith(p) for p in prefixes)]
    if not workloads:
        parser.error(f"--only {args.only!r} matches none of: {', '.join(WORKLOADS)}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    for cell in profile()[:6]:
        print(f"{cell['seconds']:>7.0f} s  {cell['chapter']}  {cell['cell'][:70]}")
    print(f"timing {steps} steps per epoch, {rounds} round(s): " + "; ".join(
        f"{name}: jit_compile={jit}, {kind}" for name, (jit, kind) in SETTINGS.items()))
    entry = {
        "benchmark": "training_speed",
        "mode": "quick" if args.quick else "full",
        "settings": {"steps": steps, "rounds": rounds},
        "workloads": measure(workloads, steps, rounds),
    }
    write_result("training_speed", args.quick, entry)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
