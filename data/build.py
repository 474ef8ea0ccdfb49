"""Rebuild this folder from its sources: the same as ``python -m coverage build-data``.

The build's logic lives in ``coverage/build.py``; see ``data/README.md`` for the rule.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from coverage.cli import main  # noqa: E402

sys.exit(main(["build-data", *sys.argv[1:]]))
