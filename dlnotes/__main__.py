"""``python -m dlnotes``: the course's command line (dlnotes.course.cli)."""

import sys

from dlnotes.course.cli import main

if __name__ == "__main__":
    sys.exit(main())
