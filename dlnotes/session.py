"""The setup call at the top of every notebook: versions, seeds, quiet logs, devices."""

from __future__ import annotations

import os
import platform
from importlib import metadata

from dlnotes.validation import bool_flag, non_negative_int

# What the course is tested with; the lower bound is where its APIs are known to
# exist, the upper bound the next release that may change them.
SUPPORTED = {
    "tensorflow": ((2, 21), (2, 22)),
    "keras": ((3, 15), (4, 0)),
}
FAST_NOTE = "FAST mode: small subsets and few epochs; the metrics are not the chapter's targets."
INSTALL_HINT = (
    "Install the supported versions with `make install` (or `pip install -e .[cpu]`), "
    "or by hand: pip install 'tensorflow-cpu>=2.21,<2.22' 'keras>=3.15,<4' "
    "(on a GPU machine 'tensorflow[and-cuda]>=2.21,<2.22' instead of tensorflow-cpu)."
)


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ start-up logs; only effective before TensorFlow is imported."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def version_tuple(text: str) -> tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


def check_versions(installed: dict[str, str] | None = None) -> dict[str, str]:
    """Raise RuntimeError unless TensorFlow and Keras are within ``SUPPORTED``.

    ``installed`` maps package to version (read from the environment when None).
    """
    if installed is None:
        installed = {}
        for package in SUPPORTED:
            try:
                module = __import__(package)
                installed[package] = module.__version__
            except ImportError:
                installed[package] = "missing"
    problems = []
    for package, (low, high) in SUPPORTED.items():
        version = installed.get(package, "missing")
        wanted = f">={low[0]}.{low[1]},<{high[0]}.{high[1]}"
        if version == "missing":
            problems.append(f"{package} is not installed (need {wanted})")
        elif not low <= version_tuple(version) < high:
            problems.append(f"{package} {version} is installed (need {wanted})")
    if problems:
        raise RuntimeError("; ".join(problems) + ". " + INSTALL_HINT)
    return installed


def devices() -> list[str]:
    """Human-readable names of the devices TensorFlow sees, e.g. ['CPU (2 cores)', 'GPU:0']."""
    import tensorflow as tf

    found = []
    for device in tf.config.list_physical_devices():
        if device.device_type == "CPU":
            found.append(f"CPU ({os.cpu_count()} cores)")
        else:
            found.append(device.name.replace("/physical_device:", ""))
    return found


def setup(seed: int = 0, deterministic: bool = False, cpu_minutes: float | None = None, fast: bool = False) -> dict:
    """Prepare a notebook: check versions, seed everything, quiet TensorFlow, report devices and the mode.

    Args:
        seed: seeds Python's ``random``, NumPy and the Keras backend.
        fast: the chapter's ``FAST`` parameter; when True a line says that FAST mode took effect
            (a learner reading a FAST run's numbers must not take them for the chapter's results).
        deterministic: also make TensorFlow ops deterministic (slower; same
            numbers on every run of the same machine).
        cpu_minutes: the chapter's full-mode time on two CPU cores, printed
            as a warning when no GPU is found.

    Returns:
        A dict with the versions, seed, mode and devices (also printed).
    """
    seed = non_negative_int("setup", "seed", seed)
    fast = bool_flag("setup", "fast", fast)
    quiet_tensorflow()
    versions = check_versions()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    strategy = _use_best_strategy(tf)
    info = {**versions, "python": platform.python_version(), "seed": seed, "fast": fast, "devices": devices()}
    info["strategy"] = f"{type(strategy).__name__} ({strategy.num_replicas_in_sync} replica(s))"
    print(
        f"dlnotes {metadata.version('dlnotes')} | TensorFlow {info['tensorflow']} | "
        f"Keras {info['keras']} | Python {info['python']} | seed {seed} | "
        f"devices: {', '.join(info['devices'])}"
    )
    if strategy.num_replicas_in_sync > 1:
        print(f"Models are built and trained under {info['strategy']} (DLNOTES_STRATEGY=default for one device).")
    if fast:
        print(FAST_NOTE)
    if cpu_minutes is not None and not any(d.startswith("GPU") for d in info["devices"]):
        print(f"Note: no GPU found; full mode takes about {cpu_minutes:g} min on two CPU cores.")
    return info


def _use_best_strategy(tf):
    """Make the strategy dlnotes.distribute picks the default for every model built afterwards.

    Keras builds variables and runs ``fit`` under ``tf.distribute.get_strategy()``; setting it here lets
    every chapter run on several GPUs, workers or a TPU without a ``with strategy.scope():`` in the notebook.
    On one device nothing is set: the default strategy is the cheapest.
    """
    from dlnotes.distribute import pick_strategy

    tf.distribute.experimental_set_strategy(None)  # a second setup() in the same kernel starts afresh
    strategy = pick_strategy(echo=None)
    if strategy.num_replicas_in_sync > 1:
        tf.distribute.experimental_set_strategy(strategy)
    return strategy
