"""Show a result to the reader and keep it machine-readable in the notebook.

``record`` (a metric for the runner and the tests) and the exercise checks (a verdict for the grader) both
print a line for the reader and store data under their own MIME type in the cell's output, where the
course machinery reads it back from the executed notebook. Outside IPython there is no cell output: the
line is printed and the data is only in the process.
"""

from __future__ import annotations


def show(text: str, mime_type: str, data) -> None:
    """Display ``text``; inside IPython attach ``data`` to the cell's output under ``mime_type`` as well."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python without IPython
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display({mime_type: data, "text/plain": text}, raw=True)
    else:
        print(text)
