"""Pick a tf.distribute strategy so that a chapter builds and trains its models unchanged on bigger hardware.

    strategy = dlnotes.distribute.pick_strategy()
    with strategy.scope():
        model = build_model()
        model.compile(...)
    model.fit(train_ds, ...)     # the global batch is split across the replicas

What is picked, in order (``auto``):

1. ``tpu``: a TPU that TensorFlow's TPU resolver finds (a TPU VM, or the
   ``TPU_NAME`` / ``TPU_CONFIG`` / ``KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS`` variables);
2. ``multiworker``: MultiWorkerMirroredStrategy when ``TF_CONFIG`` describes a
   cluster of two or more workers;
3. ``mirrored``: MirroredStrategy over all GPUs when there are two or more;
4. ``default``: TensorFlow's default strategy, one device (the GPU if any, else the CPU).

``DLNOTES_STRATEGY=auto|default|mirrored|multiworker|tpu`` overrides the choice
(and the ``prefer`` argument), so a notebook need not change to run differently.
``mirrored`` on a machine without GPUs mirrors over the logical CPU devices made
by :func:`split_cpu`, which is how the tests check that a chapter's model trains
the same way under MirroredStrategy without a GPU.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from dlnotes.validation import non_negative_int, positive_int

STRATEGY_ENV = "DLNOTES_STRATEGY"
KINDS = ("auto", "default", "mirrored", "multiworker", "tpu")
TPU_HINTS = ("TPU_NAME", "TPU_CONFIG", "KUBE_GOOGLE_CLOUD_TPU_ENDPOINTS")


@dataclass(frozen=True)
class StrategyChoice:
    """Which strategy to build and why; ``devices`` (mirrored) and ``resolver`` (tpu) say where."""

    kind: str  # one of KINDS except "auto"
    reason: str
    devices: tuple[str, ...] | None = None  # None: MirroredStrategy's own choice (all GPUs)
    resolver: object = None  # a TPUClusterResolver for kind "tpu"


def cluster_workers(tf_config: str | None) -> int:
    """How many workers (chief included) the ``TF_CONFIG`` JSON describes; 0 when it is unset or empty."""
    if tf_config is None or not tf_config.strip():
        return 0
    try:
        config = json.loads(tf_config)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f'TF_CONFIG must be JSON like {{"cluster": {{"worker": [...]}}, "task": {{...}}}}; got {tf_config!r} ({exc})'
        ) from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    if not isinstance(cluster, dict):
        raise ValueError(f"TF_CONFIG must hold a 'cluster' object mapping job names to address lists; got {tf_config!r}")
    if cluster.get("ps"):
        # parameter servers need ParameterServerStrategy and a coordinator: a different training loop
        raise ValueError(
            "TF_CONFIG describes parameter servers ('ps'); dlnotes supports MultiWorkerMirroredStrategy (chief and workers) only"
        )
    return sum(len(cluster.get(job) or []) for job in ("chief", "worker"))


def _requested_kind(prefer: str | None, environ: Mapping[str, str]) -> tuple[str, str]:
    """The kind asked for and who asked: the environment variable wins over ``prefer``, which wins over auto."""
    if environ.get(STRATEGY_ENV, "").strip():
        value = environ[STRATEGY_ENV]
        source = f"{STRATEGY_ENV}={value.strip()}"
    elif prefer is not None:
        value, source = prefer, f"prefer={prefer!r}"
    else:
        return "auto", "auto"
    if not isinstance(value, str) or value.strip().lower() not in KINDS:
        where = f"the environment variable {STRATEGY_ENV}" if source.startswith(STRATEGY_ENV) else "pick_strategy(prefer=...)"
        raise ValueError(f"{where} must be one of {', '.join(KINDS)}; got {value!r}")
    return value.strip().lower(), source


def choose_strategy(
    prefer: str | None = None,
    *,
    environ: Mapping[str, str],
    gpus: int,
    cpus: int,
    find_tpu: Callable[[], tuple[object | None, str]],
) -> StrategyChoice:
    """Decide which strategy to build from plain facts, without touching TensorFlow (so it can be tested).

    Args:
        prefer: the kind a caller asks for (``KINDS``); ``DLNOTES_STRATEGY`` in ``environ`` overrides it.
        environ: the environment (reads ``DLNOTES_STRATEGY`` and ``TF_CONFIG``).
        gpus: physical GPUs visible.
        cpus: logical CPU devices (more than one after :func:`split_cpu`).
        find_tpu: called only when a TPU matters; returns (resolver or None, what was found or why not).
    """
    for name, count in (("gpus", gpus), ("cpus", cpus)):
        non_negative_int("choose_strategy", name, count)
    kind, source = _requested_kind(prefer, environ)
    asked = f" ({source})" if source != "auto" else ""
    workers = cluster_workers(environ.get("TF_CONFIG"))

    if kind in ("auto", "tpu"):
        resolver, tpu_note = find_tpu()
        if resolver is not None:
            return StrategyChoice("tpu", f"a TPU was found: {tpu_note}{asked}", resolver=resolver)
        if kind == "tpu":
            raise RuntimeError(f"a TPU strategy was asked for{asked} but no TPU was found: {tpu_note}")
    if kind == "multiworker" or (kind == "auto" and workers > 1):
        if workers < 2:
            raise ValueError(
                f"a multi-worker strategy was asked for{asked} but TF_CONFIG describes {workers} worker(s); set TF_CONFIG "
                'on every machine, e.g. {"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
                '"task": {"type": "worker", "index": 0}} (index 1 on host2)'
            )
        return StrategyChoice("multiworker", f"TF_CONFIG describes {workers} workers{asked}")
    if kind == "mirrored" or (kind == "auto" and gpus >= 2):
        if gpus >= 1:
            note = "" if gpus >= 2 else "; only one GPU, so one replica and no speed-up"
            return StrategyChoice("mirrored", f"{gpus} GPU(s){note}{asked}")
        devices = tuple(f"/device:CPU:{i}" for i in range(max(cpus, 1)))
        note = "" if len(devices) >= 2 else "; only one CPU device (dlnotes.distribute.split_cpu makes more), so one replica"
        return StrategyChoice(
            "mirrored", f"no GPU: mirrored over {len(devices)} logical CPU device(s){note}{asked}", devices=devices
        )
    one_device = "one GPU" if gpus == 1 else "the CPU" if gpus == 0 else f"one device ({gpus} GPUs are visible)"
    why = "" if kind == "default" else "; no TPU, no multi-worker TF_CONFIG, fewer than two GPUs"
    return StrategyChoice("default", f"{one_device}{why}{asked}")


def _find_tpu() -> tuple[object | None, str]:
    """A connected TPUClusterResolver, or None and why not (asks the network only when a TPU variable is set)."""
    import tensorflow as tf

    local = bool(tf.config.list_physical_devices("TPU"))  # a TPU VM shows its chips as local devices
    if not local and not any(os.environ.get(name) for name in TPU_HINTS):
        return None, f"no local TPU devices and none of {', '.join(TPU_HINTS)} is set"
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu="local" if local else None)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, OSError, ImportError, tf.errors.OpError) as exc:
        return None, f"the TPU resolver failed: {type(exc).__name__}: {exc}"
    return resolver, "local TPU" if local else f"TPU {resolver.master()}"


def _logical_cpus() -> int:
    """Logical CPU devices configured so far, read without initialising TensorFlow's devices."""
    import tensorflow as tf

    (cpu,) = tf.config.list_physical_devices("CPU")
    configured = tf.config.get_logical_device_configuration(cpu)
    return len(configured) if configured else 1


def build_strategy(choice: StrategyChoice):
    """The tf.distribute.Strategy for ``choice``."""
    if not isinstance(choice, StrategyChoice):
        raise TypeError(f"build_strategy: expected a StrategyChoice, got {type(choice).__name__}")
    import tensorflow as tf

    if choice.kind == "default":
        return tf.distribute.get_strategy()
    if choice.kind == "mirrored":
        return tf.distribute.MirroredStrategy(devices=list(choice.devices) if choice.devices else None)
    if choice.kind == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    if choice.kind == "tpu":
        return tf.distribute.TPUStrategy(choice.resolver)
    raise ValueError(f"build_strategy: kind must be one of {', '.join(KINDS[1:])}, got {choice.kind!r}")


def pick_strategy(prefer: str | None = None, echo: Callable[[str], object] | None = print):
    """The tf.distribute strategy for this machine (see the module docstring); prints what it picked and why.

    Build and compile models inside ``strategy.scope()``; ``fit`` then splits each global batch across replicas.
    """
    import tensorflow as tf

    choice = choose_strategy(
        prefer,
        environ=os.environ,
        gpus=len(tf.config.list_physical_devices("GPU")),
        cpus=_logical_cpus(),
        find_tpu=_find_tpu,
    )
    strategy = build_strategy(choice)
    if echo is not None:
        echo(f"dlnotes: {type(strategy).__name__} ({strategy.num_replicas_in_sync} replica(s)): {choice.reason}")
    return strategy


def split_cpu(count: int) -> list[str]:
    """Split the CPU into ``count`` logical devices (to test multi-device strategies without GPUs).

    Must run before TensorFlow initialises its devices, that is before any tensor, model or
    strategy exists in this process; returns the logical device names.
    """
    count = positive_int("split_cpu", "count", count)
    import tensorflow as tf

    (cpu,) = tf.config.list_physical_devices("CPU")
    names = [f"/device:CPU:{i}" for i in range(count)]
    configured = tf.config.get_logical_device_configuration(cpu)
    if configured is not None and len(configured) == count:
        return names  # already split this way: calling twice is harmless
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)])
    except RuntimeError as exc:  # TensorFlow: "Virtual devices cannot be modified after being initialized"
        have = len(tf.config.list_logical_devices("CPU"))
        raise RuntimeError(
            f"split_cpu({count}): TensorFlow has already initialised its devices ({have} logical CPU device(s)); "
            "call split_cpu first, before any tensor, model or strategy is created (restart the kernel in a notebook)"
        ) from exc
    return names


def replica_share(loss):
    """``loss`` divided by the number of replicas in sync: what a custom ``train_step`` should differentiate
    (compute it inside the ``GradientTape``).

    Under a multi-replica strategy the optimizer sums the replicas' gradients. Keras's own ``train_step``
    scales its loss for that; a model with its own step (the VAE, the GAN) must do the same, or it takes
    steps N times too large on N replicas. On one device this returns ``loss`` unchanged.
    """
    import tensorflow as tf

    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return loss if replicas == 1 else loss / replicas
