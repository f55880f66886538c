"""Execute one prepared submission; run as a separate process by the grader.

``python -m dlnotes.course.grading.execute PREPARED.ipynb EXECUTED.ipynb STATUS.json --cell-timeout 120``

It runs the notebook top to bottom in a fresh kernel (its working directory: the folder of PREPARED), stops at
the first error or at a cell that runs longer than ``--cell-timeout`` seconds, writes the executed notebook
and a status file: ``{"status": "ok" | "error" | "timeout", "reason": ...}``. The grader bounds the whole
run from outside (it kills this process and its kernel when the notebook takes too long).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# jsonschema, which nbformat imports, compiles a grammar for RFC 3987 IRIs when rfc3987-syntax is installed:
# seconds of start-up (10 s on a busy 2-core machine) paid again by every graded submission's process.
# The notebook schemas use no IRI format, so this process tells jsonschema the package is absent.
sys.modules.setdefault("rfc3987_syntax", None)

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402

from dlnotes.course.notebooks import cell_number  # noqa: E402


def _cell_name(notebook, index: int | None) -> str:
    """'cell N' in the student's numbering (cells the grader inserted are not counted)."""
    return "a cell" if index is None else f"cell {cell_number(notebook.cells, index)}"


def _running_cell(notebook) -> int | None:
    """Index of the last cell that started executing (nbclient records its execution count first)."""
    started = [i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and c.get("execution_count")]
    return started[-1] if started else None


def execute(prepared: Path, executed: Path, cell_timeout: int) -> dict:
    notebook = nbformat.read(str(prepared), as_version=4)
    client = NotebookClient(
        notebook,
        timeout=cell_timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(prepared.parent)}},
        # ipykernel >= 7 warns on stderr about unencrypted local TCP: noise for a local run
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    status = {"status": "ok", "reason": ""}
    try:
        client.execute()
    except CellTimeoutError:
        where = _cell_name(notebook, _running_cell(notebook))
        status = {"status": "timeout", "reason": f"{where} ran longer than {cell_timeout} s"}
    except CellExecutionError as error:
        where = _cell_name(notebook, _running_cell(notebook))
        message = " ".join(str(error.evalue).split())[:300]
        status = {"status": "error", "reason": f"{where} raised {error.ename}: {message}"}
    except DeadKernelError as error:
        status = {"status": "error", "reason": f"the kernel died ({' '.join(str(error).split())[:200]})"}
    nbformat.write(notebook, str(executed))
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlnotes.course.grading.execute", description=__doc__.splitlines()[0])
    parser.add_argument("prepared", type=Path)
    parser.add_argument("executed", type=Path)
    parser.add_argument("status", type=Path)
    parser.add_argument("--cell-timeout", type=int, default=120)
    args = parser.parse_args(argv)
    status = execute(args.prepared, args.executed, args.cell_timeout)
    args.status.write_text(json.dumps(status) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
