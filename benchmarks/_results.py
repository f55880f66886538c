"""Where the speed benchmarks write their results, stamped with what makes a timing meaningful."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def write_result(name: str, quick: bool, entry: dict, load_at_start: tuple[float, ...] | None = None) -> Path:
    """Write ``entry`` as results/<name>.json (<name>_quick.json for a quick run), with the machine, its load (at the
    end, and at the start when the caller took ``os.getloadavg()`` then) and the date."""
    from dlnotes.course.reports import machine_summary  # the caller has put the repository on sys.path

    stamped = {
        **entry,
        "machine": machine_summary(),
        **({"load_average_at_start": [round(v, 2) for v in load_at_start]} if load_at_start else {}),
        "load_average_at_end": [round(v, 2) for v in os.getloadavg()],  # seconds mean little on a busy machine
        "date": date.today().isoformat(),
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}{'_quick' if quick else ''}.json"
    path.write_text(json.dumps(stamped, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return path
