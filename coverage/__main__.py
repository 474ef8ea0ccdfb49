"""``python -m coverage``: the command line (see ``coverage/cli/``)."""

import sys

from coverage.cli import main

sys.exit(main())
