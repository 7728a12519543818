"""Start the app server: `python -m ui.serve [streamlit options]` (what `make run` does).

Streamlit runs scripts from a `pages/` folder directly (its old multipage mode) until the entry
script has called `st.navigation` once in the server process, so the very first visitor to a
page's own URL would get that page without the app's frame. We drive navigation from `app.py`
and tell Streamlit so before the first session starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parents[1] / "app.py"


def main(argv: list[str] | None = None) -> int:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
