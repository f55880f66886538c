"""Where a submission's kernel runs: its own folder, no network, hidden files, bounded resources.

On Linux with bubblewrap (``bwrap``, Debian's ``bubblewrap``) the kernel runs in new mount, PID, network, IPC
and UTS namespaces:

- the file system is read-only; ``/tmp``, ``/home`` and ``/root`` are empty, and so are the folders the grader
  hides (the submissions, the output folder, the grading notebook's folder, the other submissions' work
  folders); the submission's own work folder (a copy of its notebook) is its home ``/home/student``, the
  one place it can write; Python, the course package and its data stay readable;
- no network (a new, empty network namespace);
- as root, the kernel runs as an unprivileged user of its own (``FIRST_UID`` + the job's slot), with no
  capabilities; otherwise as the teacher, inside a user namespace;
- resource limits (``setrlimit``): address space, processes, file size and CPU time, so that a memory bomb
  gets a MemoryError, a fork bomb fails to fork, a huge file stops at the limit, and a CPU hog is killed.

Without bubblewrap (macOS, a Linux without it, or ``isolate=False``) the kernel still runs in its own folder
with the resource limits, but it can read and write whatever the teacher can, and reach the network:
:func:`isolation` says so in words, and the grader prints it and writes it into the CSV.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dlnotes.validation import positive_int

HOME = "/home/student"  # the work folder, as the kernel sees it under bubblewrap
FIRST_UID = 61000  # as root, slot n's kernel runs as uid FIRST_UID + n
# Environment variables a kernel keeps (everything else is dropped: no tokens, no paths to the teacher's files)
KEPT_VARIABLES = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "MPLBACKEND")
KEPT_PREFIXES = ("DLNOTES_", "TF_CPP_", "TF_ENABLE_", "TF_NUM_", "TF_XLA_", "KERAS_", "CUDA_", "OMP_", "MKL_")
# Sets the limits, then becomes the kernel: argv = [RLIMIT_NAME, value, ..., "--", command...]
LIMITS_SCRIPT = (
    "import os, resource, sys\n"
    "end = sys.argv.index('--')\n"
    "for name, value in zip(sys.argv[1:end:2], sys.argv[2:end:2]):\n"
    "    resource.setrlimit(getattr(resource, name), (int(value), int(value)))\n"
    "os.execvp(sys.argv[end + 1], sys.argv[end + 1:])"
)


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use; the defaults leave a FAST chapter (TensorFlow) plenty of room."""

    memory_bytes: int = 16 * 2**30  # address space: TensorFlow reserves several GiB it never touches
    processes: int = 2048  # processes and threads of the kernel's user (TensorFlow starts many threads)
    file_bytes: int = 2**30  # the largest file it may write
    cpu_seconds: int = 3600  # CPU time of the kernel (all its threads together)

    def __post_init__(self):
        for name in ("memory_bytes", "processes", "file_bytes", "cpu_seconds"):
            positive_int("Limits", name, getattr(self, name))

    def rlimits(self, processes_already: int = 0) -> dict[str, int]:
        return {
            "RLIMIT_AS": self.memory_bytes,
            "RLIMIT_NPROC": self.processes + processes_already,
            "RLIMIT_FSIZE": self.file_bytes,
            "RLIMIT_CPU": self.cpu_seconds,
            "RLIMIT_CORE": 0,
        }


@dataclass(frozen=True)
class Sandbox:
    """How kernels are started: ``bwrap`` (its path) or None, and whether each gets a user of its own."""

    bwrap: str | None
    own_user: bool
    reason: str = ""  # why there is no bubblewrap

    def describe(self) -> str:
        """What is not isolated, in one line; empty when every part of the isolation is in place."""
        if self.bwrap is None:
            return (
                f"NOT ISOLATED ({self.reason}): submissions can read and write the teacher's files and use the "
                "network; only their resources are limited"
            )
        if not self.own_user:
            return (
                "partly isolated: kernels run as the teacher's user (in a user namespace), "
                "so the process limit counts the teacher's processes"
            )
        return ""

    def kernel_command(self, command: list[str], workdir: Path, hidden: list[Path], limits: Limits, slot: int) -> list[str]:
        """``command`` (a kernel's) wrapped so that it runs sandboxed in ``workdir`` with ``limits``."""
        workdir = Path(workdir)
        inside = HOME if self.bwrap else str(workdir)
        command = [argument.replace(str(workdir), inside) for argument in command]
        environment = {name: value for name, value in os.environ.items() if _kept(name)}
        environment.update(HOME=inside, MPLCONFIGDIR=f"{inside}/.matplotlib", IPYTHONDIR=f"{inside}/.ipython")
        user_processes = 0 if self.own_user else _processes_of_this_user()
        limited = [sys.executable, "-c", LIMITS_SCRIPT]
        for name, value in limits.rlimits(user_processes).items():
            limited += [name, str(value)]
        limited += ["--", *command]
        if self.bwrap is None:
            # ipykernel exits when this process (the one starting it) is gone; bwrap's --die-with-parent does it below
            environment["JPY_PARENT_PID"] = str(os.getpid())
            return ["env", "-i", *(f"{k}={v}" for k, v in environment.items()), *limited]
        prefix = [self.bwrap, *_namespaces(self.own_user), "--die-with-parent", "--new-session"]
        prefix += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        prefix += ["--perms", "1777", "--size", str(limits.file_bytes), "--tmpfs", "/tmp"]
        prefix += ["--tmpfs", "/home", "--tmpfs", "/root"]
        for source, target in _needed_paths():  # back on top of the emptied folders: Python, the course, its data
            for folder in reversed(target.parents[:-2]):  # a folder bwrap creates is private unless made 0755
                prefix += ["--perms", "0755", "--dir", str(folder)]
            prefix += ["--ro-bind", str(source), str(target)]
        for path in hidden:
            if Path(path).is_dir():  # bwrap mounts an empty folder over it
                prefix += ["--tmpfs", str(Path(path).resolve())]
        prefix += ["--bind", str(workdir), HOME, "--chdir", HOME, "--clearenv"]
        for name, value in environment.items():
            prefix += ["--setenv", name, value]
        prefix.append("--")
        if self.own_user:
            uid = str(FIRST_UID + slot)
            prefix += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
            prefix += ["--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
        return prefix + limited

    def user(self, slot: int) -> int | None:
        """The uid that must own the work folder of the job in ``slot`` (None: the teacher's own)."""
        return FIRST_UID + slot if self.own_user else None


def prepare_workdir(workdir: Path, uid: int | None) -> None:
    """Give the work folder to the kernel's user (when it has one of its own), readable by nobody else."""
    if uid is not None:
        os.chown(workdir, uid, uid)
    workdir.chmod(0o700)


def _kept(name: str) -> bool:
    return name in KEPT_VARIABLES or name.startswith(KEPT_PREFIXES)


def _namespaces(own_user: bool) -> list[str]:
    namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    if own_user:  # root: bwrap keeps the two capabilities setpriv needs to become the kernel's user, then drops all
        return ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", *namespaces]
    return ["--unshare-user", *namespaces]


def _needed_paths() -> list[tuple[Path, Path]]:
    """What a kernel reads under the emptied /home, /root and /tmp (Python, the course package, the data), as
    (folder, where to mount it) pairs: each folder where it resolves to, and also where its name points when that
    differs (a symlink such as CI's ../shared: the kernel's environment names the folder by that path)."""
    import dlnotes

    candidates = [sys.prefix, sys.base_prefix, Path(dlnotes.__file__).resolve().parents[1]]
    candidates += [os.environ.get("DLNOTES_DATA_DIR"), os.environ.get("KERAS_HOME") or Path.home() / ".keras"]
    candidates += [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    mounts: dict[str, Path] = {}
    for candidate in (str(c) for c in candidates if c):
        if Path(candidate).exists():
            resolved = Path(candidate).resolve()
            mounts.setdefault(str(resolved), resolved)
            mounts.setdefault(os.path.abspath(candidate), resolved)
    return [(source, Path(target)) for target, source in mounts.items()]


def _processes_of_this_user() -> int:
    """Processes and threads the teacher runs now: RLIMIT_NPROC counts them all, the kernel's come on top."""
    import psutil

    uid, count = os.getuid(), 0
    for process in psutil.process_iter(["uids", "num_threads"]):
        if process.info["uids"] and process.info["uids"].real == uid:
            count += process.info["num_threads"] or 1
    return count


def find_sandbox(isolate: bool = True) -> Sandbox:
    """The best sandbox this machine allows, tried once with a real ``bwrap`` run; never raises."""
    if not isolate:
        return Sandbox(None, False, "isolation turned off")
    if not sys.platform.startswith("linux"):
        return Sandbox(None, False, f"bubblewrap exists only on Linux, this is {sys.platform}")
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return Sandbox(None, False, "bubblewrap is not installed: apt-get install bubblewrap")
    own_user = os.geteuid() == 0 and shutil.which("setpriv") is not None
    trial = Sandbox(bwrap, own_user)
    try:
        with tempfile.TemporaryDirectory(prefix="dlnotes-sandbox-trial-") as workdir:
            prepare_workdir(Path(workdir), trial.user(0))
            command = trial.kernel_command([sys.executable, "-c", "import numpy"], Path(workdir), [], Limits(), slot=0)
            result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Sandbox(None, False, f"bubblewrap did not start: {error}")
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        return Sandbox(None, False, f"bubblewrap failed here: {last[:200]}")
    return trial
