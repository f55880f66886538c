"""Building test submissions: a student notebook with some answer cells filled in (shared by the grading tests)."""

import copy

import nbformat


def answered(student, **answers):
    """A copy of ``student`` (a notebook, or its dict) with the answer cell of each exercise id replaced by the
    given source."""
    notebook = nbformat.from_dict(copy.deepcopy(student))
    for cell in notebook.cells:
        role = cell.metadata.get("dlnotes", {})
        if role.get("role") == "answer" and role.get("exercise") in answers:
            cell.source = answers[role["exercise"]]
    return notebook
