"""dlnotes: the helper package of a deep-learning course in Jupyter notebooks.

Importing dlnotes is cheap: TensorFlow is imported by the modules that need it,
after :func:`dlnotes.setup` has quietened its logs.
"""

from dlnotes.report import record
from dlnotes.session import setup

__all__ = ["record", "setup"]
