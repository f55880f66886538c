"""dlnotes: the helper package of a deep-learning course in Jupyter notebooks.

The modules of ``dlnotes`` are what the notebooks import, one idea a module (data, layers, models, plots, ...);
the course machinery that runs, checks, reports and grades the notebooks is ``dlnotes.course``, which no
notebook and no teaching module imports.

Importing dlnotes is cheap: TensorFlow is imported by the modules that need it,
after :func:`dlnotes.setup` has quietened its logs.
"""

from dlnotes.recording import record
from dlnotes.session import setup

__all__ = ["record", "setup"]
