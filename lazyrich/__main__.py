"""``python -m lazyrich``: the same command line as the ``lazyrich`` script."""

import sys

from .engine.cli import main

sys.exit(main())
