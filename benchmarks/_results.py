"""Where the speed benchmarks write their results, stamped with what makes a timing meaningful."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def current_commit(checkout: Path = RESULTS.parents[1]) -> str:
    """The commit a checkout runs, marked "+changes" when its tracked files differ from it."""
    def git(*args):
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=checkout).stdout.strip()
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages, rounded: seconds mean little on a busy machine."""
    return [round(value, 2) for value in os.getloadavg()]


def wait_for_idle(threshold: float = 1.0, timeout: float = 300) -> list[float]:
    """Wait until the 1-minute load average is at most ``threshold`` (or ``timeout`` seconds have passed); return the
    load averages then. One chapter keeps both cores busy, so the next one would start at a load of about 2 that is
    only the echo of the run before: the 1-minute average needs about 40 s to halve."""
    deadline = time.monotonic() + timeout
    while os.getloadavg()[0] > threshold and time.monotonic() < deadline:
        time.sleep(5)
    return load_average()


def host_speed_probe(rounds: int = 3) -> float:
    """Seconds for a fixed piece of arithmetic (40 products of 1024x1024 float32 matrices), the median of ``rounds``.

    The load average says whether other work shares the cores, not how fast the cores are. This probe measures the
    compute-bound kind of speed only: on 2026-12-03 recurrent networks (many small, latency-bound steps) ran 1.5 times
    slower than the day before at the same load while convolutions did not (README, "Second round"), a change a
    matrix product would not show.
    """
    import numpy as np

    matrix = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    seconds = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(40):
            matrix @ matrix
        seconds.append(time.perf_counter() - start)
    return round(float(np.median(seconds)), 3)


# Many small, dependent steps: what a recurrent network's training costs on two CPU cores. Run in a fresh process
# (nothing of the caller's state is timed), oneDNN off as in the RNN chapters, Keras's default compilation (no XLA).
_RECURRENT_PROBE = """
import os, sys, time
os.environ.update(TF_CPP_MIN_LOG_LEVEL="2", TF_ENABLE_ONEDNN_OPTS="0")
import numpy as np, keras
rounds = int(sys.argv[1])
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((28, 28)), keras.layers.SimpleRNN(128), keras.layers.Dense(10)])
model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
x = np.random.default_rng(0).random((32 * 300, 28, 28), dtype=np.float32)
y = np.arange(len(x)) % 10
model.fit(x[:320], y[:320], batch_size=32, verbose=0)  # tracing and first steps: not timed
seconds = []
for _ in range(rounds):
    start = time.perf_counter()
    model.fit(x, y, batch_size=32, verbose=0)
    seconds.append(time.perf_counter() - start)
print(min(seconds))
"""


def recurrent_probe(rounds: int = 5) -> float:
    """Seconds for 300 training steps of a SimpleRNN(128) on batches of 32 sequences of 28 steps (the layer and batch
    size of chapter 03's reference recipe, on random data), the fastest of ``rounds`` (latency-bound timings scatter
    widely here; the fastest says what the host can do), in a fresh process (about 12 s with TensorFlow's import).

    The latency-bound counterpart of :func:`host_speed_probe`: it catches a slowdown of recurrent work (as on
    2026-12-03, 1.5x) that a matrix product does not.
    """
    done = subprocess.run([sys.executable, "-c", _RECURRENT_PROBE, str(rounds)], capture_output=True, text=True,
                          check=True)
    return round(float(done.stdout.split()[-1]), 3)


def write_result(name: str, quick: bool, entry: dict, load_at_start: list[float] | None = None) -> Path:
    """Write ``entry`` as results/<name>.json (<name>_quick.json for a quick run), with the machine, its load (at the
    end, and at the start when the caller took :func:`load_average` then) and the date."""
    from dlnotes.course.reports import machine_summary  # the caller has put the repository on sys.path

    stamped = {
        **entry,
        "machine": machine_summary(),
        **({"load_average_at_start": load_at_start} if load_at_start else {}),
        "load_average_at_end": load_average(),
        "date": date.today().isoformat(),
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}{'_quick' if quick else ''}.json"
    path.write_text(json.dumps(stamped, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return path
