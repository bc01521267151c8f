"""``python -m lazyrich``: the same command line as the ``lazyrich`` script."""

from .engine.cli import entry

entry()
