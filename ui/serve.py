"""Serve the app: ``python -m ui.serve [streamlit run options]`` (what ``make run`` does).

Streamlit still treats a ``pages/`` folder beside the entry script as its old
folder-based navigation (multipage "v1") until the first ``st.navigation`` call has
run, so the first visitor after a start, above all one who opens a page's own
address such as ``/optimiser``, got that folder's page list and the page without the
app's shared sidebar.  The project keeps its pages in ``pages/`` (one file per page)
and navigates with ``st.navigation`` in ``app.py``; this launcher tells Streamlit so
before it serves anyone, then hands over to ``streamlit run app.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> None:
    """Start ``streamlit run app.py`` with these options, folder-based navigation off."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
