"""The package's layout: teaching modules never import the course machinery, and no two modules import each other.

``dlnotes/`` holds what the notebooks import; ``dlnotes/course/`` runs, checks, reports and grades them. The
machinery may use the teaching modules, never the other way round: a student's kernel must not load the runner,
and a teaching module stays readable on its own. Imports inside functions count too (a deferred import is how
a cycle hides).
"""

import ast
from pathlib import Path

import pytest

from dlnotes.course.notebooks import find_chapters, read_cells

PACKAGE = Path(__file__).resolve().parents[1] / "dlnotes"
MACHINERY = "dlnotes.course"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, importer: str = "") -> set[str]:
    """Every module that ``source`` imports, at any depth, relative imports resolved against ``importer``."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = importer.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # `from dlnotes import plot` imports a module
    return found


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
IMPORTS = {name: imported_modules(path.read_text(encoding="utf-8"), name) & set(MODULES) for name, path in MODULES.items()}
TEACHING = sorted(name for name in MODULES if not name.startswith(MACHINERY) and name != "dlnotes.__main__")


def test_imported_modules_sees_deferred_relative_and_from_imports():
    source = "import os\nfrom dlnotes import plot\ndef f():\n    from .course import runner\n"
    expected = {"os", "dlnotes", "dlnotes.plot", "dlnotes.course", "dlnotes.course.runner"}
    assert imported_modules(source, "dlnotes.session") == expected


@pytest.mark.parametrize("module", TEACHING)
def test_a_teaching_module_does_not_import_the_course_machinery(module):
    machinery = sorted(name for name in IMPORTS[module] if name.startswith(MACHINERY))
    assert not machinery, f"{module} imports {', '.join(machinery)}: teaching code must not depend on dlnotes.course"


def test_the_notebooks_do_not_import_the_course_machinery():
    for notebook in find_chapters():
        for cell in read_cells(notebook):
            if cell.kind == "code" and MACHINERY in cell.source:
                pytest.fail(f"{notebook.name}, cell {cell.number} uses {MACHINERY}: notebooks import teaching modules only")


def test_no_import_cycle_between_the_modules_of_dlnotes():
    def cycle_from(module, path):
        for imported in sorted(IMPORTS[module]):
            if imported in path:
                return [*path[path.index(imported) :], imported]
            found = cycle_from(imported, [*path, imported])
            if found:
                return found
        return None

    for module in MODULES:
        cycle = cycle_from(module, [module])
        assert cycle is None, "import cycle: " + " -> ".join(cycle)
