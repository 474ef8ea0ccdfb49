"""``python -m coverage``: the command line (see ``coverage/cli.py``)."""

import sys

from coverage.cli import main

sys.exit(main())
