"""Turn benchmarks/results/*.json into the README's "Measured results" tables.

    python benchmarks/tables.py            # print the tables
    python benchmarks/tables.py --write    # replace the block between the markers in README.md

A test checks that README.md holds exactly what this script generates, so the README
never quotes a number that no results file backs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from dlnotes.course.thresholds import bound_text, meets  # one table of thresholds for the tests, README and HTML report
from dlnotes.markdown import markdown_table

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def met_column(metric: str, metrics: dict) -> str:
    """The README's "met" column: "yes", "**no**", or "" for a metric without a full-mode target."""
    ok = meets(metric, metrics, "full")
    return "" if ok is None else "yes" if ok else "**no**"


def load_results(folder: Path = RESULTS) -> dict:
    """Every results file: full and FAST runs per chapter, and the RNN speed comparison (or None)."""

    def read(pattern: str) -> list[dict]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob(pattern))]

    def read_one(name: str) -> dict | None:
        path = folder / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None

    return {
        "full": read("full_*.json"),
        "fast": read("fast_*.json"),
        "rnn_speed": read_one("rnn_speed.json"),
        "training_speed": read_one("training_speed.json"),
        "grading_speed": read_one("grading_speed.json"),
        "cache_speed": read_one("cache_speed_full.json"),
    }


# issue #23's bounds for full mode on two idle cores: the course, each chapter, the GAN chapter, and what counts as idle
COURSE_LIMIT_MINUTES, CHAPTER_LIMIT_MINUTES, IDLE_LOAD = 50, 12, 2.5
CHAPTER_LIMITS = {"08_gan_dcgan": 15}


def _busy(load: float | None) -> str:
    return f" (load average {load:g} at the end: the cores were shared)" if load and load > IDLE_LOAD else ""


def _load_text(entry: dict) -> str:
    """The load average a run was measured under: 1-minute values at its start and end where recorded."""
    start, end = entry.get("load_average_at_start"), entry.get("load_average_at_end")
    if start and end:
        return f"load {start[0]:g} to {end[0]:g}"
    if end:
        return f"load {end[0]:g} at the end"
    load = entry.get("load_average_5min_at_end")
    return f"load {load:g}" if load is not None else "load not recorded"


def render_times(full: list[dict], fast: list[dict]) -> str:
    """One row per chapter: its FAST time (what the tests cost) and its full time, against issue #23's bounds."""
    chapters = sorted({e["chapter"] for e in full + fast})
    by_mode = {"full": {e["chapter"]: e for e in full}, "fast": {e["chapter"]: e for e in fast}}

    def cell(mode: str, chapter: str) -> str:
        entry = by_mode[mode].get(chapter)
        if entry is None:
            return "not measured"
        value = f"{entry['seconds']:.0f} s" if mode == "fast" else f"{entry['seconds'] / 60:.1f} min"
        return f"{value} ({entry['date']}, {_load_text(entry)})"

    def bound(chapter: str) -> str:
        limit = CHAPTER_LIMITS.get(chapter, CHAPTER_LIMIT_MINUTES)
        entry = by_mode["full"].get(chapter)
        return f"<= {limit}" + ("" if entry is None or entry["seconds"] / 60 <= limit else " (**over**)")

    rows = [[c, cell("fast", c), cell("full", c), bound(c)] for c in chapters]
    total = {mode: sum(e["seconds"] for e in by_mode[mode].values()) for mode in by_mode}
    over = total["full"] / 60 > COURSE_LIMIT_MINUTES
    rows.append(["**course**", f"{total['fast'] / 60:.1f} min", f"{total['full'] / 60:.1f} min",
                 f"<= {COURSE_LIMIT_MINUTES}" + (" (**over**)" if over else "")])
    loads = [(e.get(key) or [None])[0] for e in full for key in ("load_average_at_start", "load_average_at_end")]
    commits = sorted({e.get("commit", "not recorded") for e in full})
    idle = all(value is not None and value <= IDLE_LOAD for value in loads)
    lines = [
        f"Full-mode runs from commit {', '.join(commits)}, "
        + (f"each started and ended on idle cores (1-minute load average <= {IDLE_LOAD:g}; "
           "one run keeps two cores busy, so about 2 is the run itself)." if idle else
           f"not all of them on idle cores (1-minute load average above {IDLE_LOAD:g} at a start or end: rerun those)."),
        "The last column is issue #23's bound on the full-mode minutes of each chapter and of the course.",
    ]
    # the load says whether the cores were shared, the probes how fast they were (`benchmarks/_results.py`)
    for key, what in [("host_probe_seconds", "The host speed probe (a fixed matrix product"),
                      ("recurrent_probe_seconds", "The recurrent probe (300 training steps of a SimpleRNN")]:
        probes = [seconds for e in full for seconds in e.get(key, [])]
        if probes:
            lines.append(f"{what}, timed before and after each chapter) took {min(probes):.2f} to {max(probes):.2f} s"
                         " in these runs"
                         + ("" if len(probes) == 2 * len(full) else f" ({len(probes) // 2} of {len(full)} runs probed)")
                         + ".")
    lines.append("")
    return "\n".join(lines + [markdown_table(["chapter", "FAST mode", "full mode", "bound (min)"], rows, align="lrrr")])


def render_speed(speed: dict) -> str:
    """The custom LSTM/GRU cells against Keras's layers, seconds per epoch (benchmarks/rnn_speed.py)."""
    settings = speed["settings"]
    lines = [
        f"Seconds per epoch over {speed['train_rows_used']:,} MNIST rows, batch {settings['batch_size']}, "
        f"{settings['units']} units, median of {settings['rounds']} rounds; on {speed['machine']}, {speed['date']}"
        f"{_busy(speed['load_average_at_end'][1])}. Ratio: ours / Keras's (target <= {speed['target_ratio']:g}).",
        "",
    ]
    medians, rows = speed["median_seconds_per_epoch"], []
    for pair, ratio in speed["custom_to_builtin_ratio"].items():
        cell, jit = pair.split("/")
        cpu_ratio = speed["custom_to_builtin_cpu_ratio"][pair]
        rows.append([cell, "yes" if jit == "jit" else "no", f"{medians[f'{cell}/builtin/{jit}']:.2f}",
                     f"{medians[f'{cell}/custom/{jit}']:.2f}", f"{ratio:.2f}", f"{cpu_ratio:.2f}"])
    columns = ["cell", "jit_compile", "Keras (s)", "ours (s)", "ratio, wall time", "ratio, CPU time"]
    return "\n".join(lines + [markdown_table(columns, rows, align="llrrrr")])


def render_profile(full: list[dict]) -> str:
    """Where each full run spent its time: its slowest cells and their share of the chapter (recorded by the runner)."""
    lines = [
        "The slowest cells of each chapter's last full run, as the runner records them; nearly all of the time is "
        "spent training.",
        "",
    ]
    rows = []
    for entry in full:
        cells = entry.get("slowest_cells") or []
        named = "; ".join(f"{c['cell'].replace('|', '/')} {c['seconds']:.0f}" for c in cells) or "not recorded"
        share = f"{sum(c['seconds'] for c in cells) / entry['seconds']:.0%}" if cells else ""
        rows.append([entry["chapter"], f"{entry['seconds'] / 60:.1f} min", named, share])
    columns = ["chapter", "full run", "slowest cells (seconds)", "their share"]
    return "\n".join(lines + [markdown_table(columns, rows, align="lrlr")])


def render_training_speed(speed: dict) -> str:
    """Milliseconds per training step without and with XLA, and with a tf.data pipeline (benchmarks/training_speed.py)."""
    settings = speed["settings"]
    lines = [
        f"Milliseconds per training step of each chapter's hot training loop: compiled without XLA, as first "
        f"shipped (before), with XLA (`jit_compile=True`, after), and with XLA fed by a tf.data pipeline; "
        f"{settings['steps']} steps an epoch, median of {settings['rounds']} rounds of alternating epochs; "
        f"on {speed['machine']}, {speed['date']}{_busy(speed['load_average_at_end'][1])}.",
        "",
    ]
    rows = []
    for name, entry in speed["workloads"].items():
        ms, wall, cpu = entry["ms_per_step"], entry["speedup"], entry["cpu_speedup"]
        rows.append([name, entry["batch_size"], f"{ms['before']:.1f}", f"{ms['after']:.1f}", f"{ms['after + tf.data']:.1f}",
                     f"{wall['after']:.2f}, {cpu['after']:.2f}", f"{wall['after + tf.data']:.2f}, {cpu['after + tf.data']:.2f}"])
    columns = ["training loop", "batch", "before (ms)", "after (ms)", "after + tf.data (ms)", "speed-up: wall, CPU",
               "speed-up with tf.data: wall, CPU"]
    return "\n".join(lines + [markdown_table(columns, rows, align="lrrrrrr")])


def render_cache_speed(speed: dict) -> str:
    """A chapter's second full-mode run, loading its models from the model cache, against its first
    (benchmarks/cache_speed.py --full)."""
    lines = [
        "Two Restart-and-Run-Alls of a chapter in full mode against a fresh model cache: the first trains and "
        "caches every model, the second loads them (issue #22's target: the second under a fifth of the first, "
        "with the same metrics); on " + speed["machine"] + ". Compare the two runs of a row, measured minutes apart; "
        "the speed of this shared machine varies from day to day, so a first run may differ from \"Run times\".",
        "",
    ]

    def loaded(c: dict) -> str:
        retrained = f", {c['second_trained']} trained" if c["second_trained"] else ""
        return f"{c['second_loaded']} of {c['first_trained']}{retrained}"

    rows = [[c["chapter"], f"{c['first_seconds']:.0f}", f"{c['second_seconds']:.0f}", f"{c['second_to_first']:.2f}", loaded(c),
             "yes" if c["same_metrics"] else "**no**", f"{c['date']}, {_load_text(c)}"] for c in speed["chapters"]]
    columns = ["chapter", "first run (s)", "second run (s)", "second / first", "models loaded", "same metrics", "measured"]
    return "\n".join(lines + [markdown_table(columns, rows, align="lrrrrll")])


def render_grading_speed(speed: dict) -> str:
    """Seconds to grade one folder of honest FAST submissions, this checkout against an older one
    (benchmarks/grading_speed.py)."""
    lines = [
        f"Grading {speed['submissions']} honest FAST submissions of chapter {speed['chapter']} "
        f"(`python -m dlnotes grade`, one at a time), each checkout with its own code, taking turns; "
        f"on {speed['machine']}, {speed['date']}, {_load_text(speed)}.",
        "",
    ]
    rows = [[f"{name} (this checkout)" if name == speed["this_checkout"] else name, ", ".join(f"{s:.0f}" for s in seconds),
             f"{sum(seconds) / len(seconds) / speed['submissions']:.1f}"] for name, seconds in speed["seconds"].items()]
    if "this_to_compared" in speed:
        lines[0] += f" Ratio, this checkout / the compared one: {speed['this_to_compared']:.2f}."
    if speed.get("note"):
        lines[1:1] = ["", f"Note: {speed['note']}."]
    return "\n".join(lines + [markdown_table(["commit", "seconds per round", "seconds per submission"], rows,
                                              align="lrr")])


def render_metrics(entry: dict) -> str:
    lines = [
        f"**{entry['chapter']}**, full mode: {entry['seconds'] / 60:.1f} min on {entry['machine']}, {entry['date']}"
        f"{_busy(entry.get('load_average_5min_at_end'))}.",
        "",
    ]
    if entry.get("note"):  # how a result was recorded when it was not the usual way (the results file says)
        lines[1:1] = ["", f"Note: {entry['note']}."]
    rows = [[metric, f"{value:.4g}", bound_text(metric, "full"), met_column(metric, entry["metrics"])]
            for metric, value in entry["metrics"].items()]
    return "\n".join(lines + [markdown_table(["metric", "value", "target", "met"], rows, align="lrll")])


def render(results: dict) -> str:
    blocks = []
    if results["full"] or results["fast"]:
        blocks += ["### Run times", render_times(results["full"], results["fast"])]
    if results["rnn_speed"]:
        blocks += ["### Custom cells vs Keras's layers", render_speed(results["rnn_speed"])]
    if results["full"]:
        blocks += ["### Where the time goes", render_profile(results["full"])]
    if results.get("training_speed"):
        blocks += ["### XLA compilation of the training steps", render_training_speed(results["training_speed"])]
    if results.get("cache_speed"):
        blocks += ["### Second runs with the model cache", render_cache_speed(results["cache_speed"])]
    if results.get("grading_speed"):
        blocks += ["### Grading speed", render_grading_speed(results["grading_speed"])]
    if results["full"]:
        blocks += ["### Full-mode metrics"] + [render_metrics(entry) for entry in results["full"]]
    return "\n\n".join(blocks) if blocks else "No results yet."


def replace_block(text: str, block: str) -> str:
    if START not in text or END not in text:
        raise ValueError(f"README.md lacks the markers {START} ... {END}")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description="README tables from benchmarks/results")
    parser.add_argument("--write", action="store_true", help="update README.md in place")
    args = parser.parse_args()
    block = render(load_results())
    if args.write:
        README.write_text(replace_block(README.read_text(encoding="utf-8"), block), encoding="utf-8")
    else:
        print(block)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
