"""Execute one prepared submission; run as a separate process by the grader.

``python -m dlnotes.course.grading.execute PREPARED.ipynb EXECUTED.ipynb STATUS.json SANDBOX.json --cell-timeout 120``

It runs the notebook top to bottom in a fresh kernel, stops at the first error or at a cell that runs longer
than ``--cell-timeout`` seconds, writes the executed notebook and a status file: ``{"status": "ok" | "error" |
"timeout", "reason": ...}``. The kernel is started in the sandbox that SANDBOX.json describes (see
:mod:`dlnotes.course.grading.sandbox`), in the work folder that is this process's working directory, and talks
to this process over Unix sockets in that folder (it has no network). This process stays outside the sandbox,
so what it records (the status, which cell failed) is not the kernel's to forge. The grader bounds the whole
run from outside (it kills this process and its kernel when the notebook takes too long), and this process
dies with the grader; the kernel dies with this process (bubblewrap's ``--die-with-parent``, or, without
bubblewrap, ipykernel's watch on its parent).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

# jsonschema, which nbformat imports, compiles a grammar for RFC 3987 IRIs when rfc3987-syntax is installed:
# seconds of start-up (10 s on a busy 2-core machine) paid again by every graded submission's process.
# The notebook schemas use no IRI format, so this process tells jsonschema the package is absent.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402

from dlnotes.course.grading.sandbox import Limits, Sandbox  # noqa: E402
from dlnotes.course.notebooks import cell_number  # noqa: E402
from dlnotes.course.processes import die_with_parent  # noqa: E402


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel started through :meth:`Sandbox.kernel_command`, reached over Unix sockets in its work folder.

    Asynchronous, as nbclient expects: with a blocking client, nbclient's wait for the kernel's output blocks
    its event loop, and the cell timeout never fires while a cell loops.
    """

    def __init__(self, sandbox: Sandbox, workdir: Path, hidden: list[Path], limits: Limits, slot: int):
        # "kernel" is relative: this process and the kernel both run in the work folder, whatever its path inside
        super().__init__(transport="ipc", ip="kernel", connection_file=str(workdir / "connection.json"), kernel_name="python3")
        self.sandbox, self.workdir, self.hidden, self.limits, self.slot = sandbox, workdir, hidden, limits, slot

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        uid = self.sandbox.user(self.slot)
        if uid is not None:  # the kernel's own user must read its keys
            os.chown(self.connection_file, uid, uid)

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        return self.sandbox.kernel_command(command, self.workdir, self.hidden, self.limits, self.slot)


def read_sandbox(path: Path) -> tuple[Sandbox, list[Path], Limits, int]:
    """The sandbox, hidden folders, limits and slot that the grader wrote to ``path`` (see :func:`write_sandbox`)."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    sandbox = Sandbox(spec["bwrap"], spec["own_user"], spec["reason"])
    return sandbox, [Path(p) for p in spec["hidden"]], Limits(**spec["limits"]), spec["slot"]


def write_sandbox(path: Path, sandbox: Sandbox, hidden: list[Path], limits: Limits, slot: int) -> None:
    spec = {"bwrap": sandbox.bwrap, "own_user": sandbox.own_user, "reason": sandbox.reason, "hidden": [str(p) for p in hidden],
            "limits": limits.__dict__, "slot": slot}
    path.write_text(json.dumps(spec), encoding="utf-8")


def _cell_name(notebook, index: int | None) -> str:
    """'cell N' in the student's numbering (cells the grader inserted are not counted)."""
    return "a cell" if index is None else f"cell {cell_number(notebook.cells, index)}"


def _running_cell(notebook) -> int | None:
    """Index of the last cell that started executing (nbclient records its execution count first)."""
    started = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and c.get("execution_count")]
    return started[-1] if started else None


def execute(prepared: Path, executed: Path, cell_timeout: int, sandbox_spec: Path) -> dict:
    notebook = nbformat.read(str(prepared), as_version=4)
    sandbox, hidden, limits, slot = read_sandbox(sandbox_spec)
    workdir = Path.cwd()
    client = NotebookClient(
        notebook,
        km=SandboxedKernelManager(sandbox, workdir, hidden, limits, slot),
        timeout=cell_timeout,
        resources={"metadata": {"path": str(workdir)}},
        shutdown_kernel="immediate",  # a submission's kernel is disposable: kill it, do not wait for it
        # ipykernel >= 7 warns on stderr about unencrypted local TCP: noise for a local run
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    status = {"status": "ok", "reason": ""}
    try:
        client.execute(cleanup_kc=True)  # nbclient shuts down only the kernels it starts itself, unless told
    except CellTimeoutError:
        where = _cell_name(notebook, _running_cell(notebook))
        status = {"status": "timeout", "reason": f"{where} ran longer than {cell_timeout} s"}
    except CellExecutionError as error:
        where = _cell_name(notebook, _running_cell(notebook))
        message = " ".join(str(error.evalue).split())[:300]
        status = {"status": "error", "reason": f"{where} raised {error.ename}: {message}"}
    except DeadKernelError as error:
        where = _cell_name(notebook, _running_cell(notebook))
        status = {"status": "error", "reason": f"the kernel died in {where} ({_death(error, limits)})"}
    except RuntimeError as error:  # nbclient: "Kernel died before replying to kernel_info"
        status = {"status": "error", "reason": f"the kernel did not start ({' '.join(str(error).split())[:200]})"}
    nbformat.write(notebook, str(executed))
    return status


def _death(error: DeadKernelError, limits: Limits) -> str:
    """Why a kernel died, as far as can be told from outside: the limits it may have run into."""
    said = " ".join(str(error).split())[:200]
    return (f"{said}; killed by a resource limit? memory {limits.memory_bytes / 2**30:g} GiB, "
            f"CPU {limits.cpu_seconds} s, files {limits.file_bytes / 2**20:g} MiB, {limits.processes} processes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlnotes.course.grading.execute", description=__doc__.splitlines()[0])
    parser.add_argument("prepared", type=Path)
    parser.add_argument("executed", type=Path)
    parser.add_argument("status", type=Path)
    parser.add_argument("sandbox", type=Path)
    parser.add_argument("--cell-timeout", type=int, default=120)
    args = parser.parse_args(argv)
    die_with_parent()  # a grader killed (kill -9) takes this process, and so the kernel, with it
    status = execute(args.prepared, args.executed, args.cell_timeout, args.sandbox)
    args.status.write_text(json.dumps(status) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
