"""Seconds per epoch on MNIST rows: SimpleRNN, LSTM and GRU built in, and dlnotes's custom cells.

    python benchmarks/rnn_speed.py            # full: 42,000 rows (the 70% training split), 3 rounds
    python benchmarks/rnn_speed.py --quick    # 4,000 rows, 2 rounds: a minute or two

Every model is built and compiled first (with and without ``jit_compile``) and
warmed up, so that compilation is not timed. Then, in each round, every built-in
layer and its custom twin train in the order built-in, custom, custom, built-in
(one epoch each): on a shared machine the load changes from minute to minute, and
this order gives both the same conditions, cancelling a steady drift. The
custom/built-in ratio is the median over rounds of (custom seconds / built-in
seconds) within each round. CPU seconds of this process are recorded too: other
processes hardly change them, so their ratio is a second, load-independent view.

Writes benchmarks/results/rnn_speed.json (or rnn_speed_quick.json) with the machine and date.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from _results import write_result

TARGET_RATIO = 1.15  # the custom cells may take at most this multiple of the built-in layer's time
CELLS = ("simple_rnn", "lstm", "gru")


def build_model(cell: str, custom: bool, jit: bool, units: int):
    """``RNN(units) + Dense(10, softmax)`` over (28, 28) row sequences, compiled with Adam."""
    import keras

    from dlnotes.layers import GRUCell, LSTMCell

    if custom:
        recurrent = keras.layers.RNN({"lstm": LSTMCell, "gru": GRUCell}[cell](units))
    else:
        recurrent = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell](units)
    model = keras.Sequential([keras.Input((28, 28)), recurrent, keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=jit)
    return model


def configurations(jit_options: list[bool]) -> list[tuple[str, bool, bool]]:
    """(cell, custom, jit) in timing order: each custom cell right after its built-in layer."""
    configs = []
    for jit in jit_options:
        for cell in CELLS:
            configs.append((cell, False, jit))
            if cell != "simple_rnn":  # the course writes no custom SimpleRNN cell
                configs.append((cell, True, jit))
    return configs


def groups(configs: list[tuple[str, bool, bool]]) -> list[list[tuple[str, bool, bool]]]:
    """The configurations as timing groups: [SimpleRNN] alone, [built-in, custom] twins."""
    found = []
    for config in configs:
        if config[1]:
            found[-1].append(config)
        else:
            found.append([config])
    return found


def pair_name(config: tuple[str, bool, bool]) -> str:
    return f"{config[0]}/{'jit' if config[2] else 'no_jit'}"


def label(cell: str, custom: bool, jit: bool) -> str:
    return f"{cell}/{'custom' if custom else 'builtin'}/{'jit' if jit else 'no_jit'}"


def measure(train_rows: int, rounds: int, units: int, batch_size: int, jit_options: list[bool], echo=print) -> dict:
    import keras

    from dlnotes.data import as_row_sequences, load_mnist

    (x_train, y_train), _ = load_mnist()
    # Whole batches only: under XLA a smaller last batch is a new shape and would be compiled again inside the timing.
    train_rows -= train_rows % batch_size
    x = as_row_sequences(x_train[:train_rows])
    y = y_train[:train_rows]
    configs = configurations(jit_options)
    models = {}
    for config in configs:
        keras.utils.set_random_seed(0)
        model = build_model(*config[:3], units=units)
        start = time.perf_counter()
        model.fit(x[: 4 * batch_size], y[: 4 * batch_size], batch_size=batch_size, epochs=1, verbose=0)  # compile
        models[config] = model
        echo(f"built {label(*config)} (first steps, compilation included: {time.perf_counter() - start:.1f} s)", flush=True)
    seconds = {label(*c): [] for c in configs}  # wall-clock seconds of every timed epoch
    cpu_seconds = {label(*c): [] for c in configs}  # this process's CPU seconds: hardly affected by other processes
    wall_ratios = {pair_name(c): [] for c in configs if c[1]}
    cpu_ratios = {pair_name(c): [] for c in configs if c[1]}

    def timed_epoch(config):
        wall, cpu = time.perf_counter(), time.process_time()
        models[config].fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=True)
        seconds[label(*config)].append(round(time.perf_counter() - wall, 3))
        cpu_seconds[label(*config)].append(round(time.process_time() - cpu, 3))

    for round_number in range(1, rounds + 1):
        # every other round backwards, so that no model always follows the same one
        for group in groups(configs) if round_number % 2 else groups(configs)[::-1]:
            if len(group) == 1:  # SimpleRNN: a reference with no twin
                timed_epoch(group[0])
                continue
            builtin, custom = group
            for config in (builtin, custom, custom, builtin):  # ABBA: a steady drift in load cancels out
                timed_epoch(config)
            name = pair_name(custom)
            for ratios, times in [(wall_ratios, seconds), (cpu_ratios, cpu_seconds)]:
                ratios[name].append(sum(times[label(*custom)][-2:]) / sum(times[label(*builtin)][-2:]))
        echo(
            f"round {round_number}/{rounds}: "
            + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in seconds.items())
            + " | custom/built-in: "
            + ", ".join(f"{k} {v[-1]:.2f}" for k, v in wall_ratios.items()),
            flush=True,
        )
    return {
        "train_rows_used": train_rows,
        "seconds_per_epoch": seconds,
        "median_seconds_per_epoch": {k: round(statistics.median(v), 3) for k, v in seconds.items()},
        "median_cpu_seconds_per_epoch": {k: round(statistics.median(v), 3) for k, v in cpu_seconds.items()},
        "cpu_seconds_per_epoch": cpu_seconds,
        "custom_to_builtin_ratio": {k: round(statistics.median(v), 3) for k, v in wall_ratios.items()},
        "custom_to_builtin_ratio_per_round": {k: [round(r, 3) for r in v] for k, v in wall_ratios.items()},
        "custom_to_builtin_cpu_ratio": {k: round(statistics.median(v), 3) for k, v in cpu_ratios.items()},
        "parameters": {label(*c): int(m.count_params()) for c, m in models.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4,000 rows and 2 rounds: a short check")
    parser.add_argument("--train-rows", type=int, help="MNIST training images per epoch (default 42,000; quick 4,000)")
    parser.add_argument("--rounds", type=int, help="rounds (each: two epochs per LSTM/GRU model; default 3; quick 2)")
    parser.add_argument("--units", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=64, help="the batch size chapter 04 trains with")
    parser.add_argument("--no-jit-only", action="store_true", help="skip the jit_compile=True models")
    args = parser.parse_args(argv)
    train_rows = args.train_rows or (4_000 if args.quick else 42_000)
    rounds = args.rounds or (2 if args.quick else 3)
    for name, value, minimum in [
        ("--train-rows", train_rows, args.batch_size),
        ("--rounds", rounds, 1),
        ("--units", args.units, 1),
        ("--batch-size", args.batch_size, 1),
    ]:
        if value < minimum:
            parser.error(f"{name} must be at least {minimum}, got {value}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

    jit_options = [False] if args.no_jit_only else [False, True]
    print(f"MNIST rows: {train_rows} training sequences, batch {args.batch_size}, {args.units} units, {rounds} rounds")
    result = measure(train_rows, rounds, args.units, args.batch_size, jit_options)
    entry = {
        "benchmark": "rnn_speed",
        "mode": "quick" if args.quick else "full",
        "settings": {"train_rows": train_rows, "rounds": rounds, "units": args.units, "batch_size": args.batch_size},
        **result,
        "target_ratio": TARGET_RATIO,
        "meets_target": all(r <= TARGET_RATIO for r in result["custom_to_builtin_ratio"].values()),
    }
    for name, ratio in result["custom_to_builtin_ratio"].items():
        print(f"custom / built-in, {name}: {ratio:.3f} ({'ok' if ratio <= TARGET_RATIO else 'SLOWER than'} {TARGET_RATIO})")
    write_result("rnn_speed", args.quick, entry)
    return 0 if entry["meets_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
