"""Is the app interactive at 100,000 accounts? Rerun time of each page after a control changes.

Run: `python bench/app_bench.py [--rows 100000]`. Loads a synthetic 100k-account export (the
sample resampled with jitter, see cli_bench.py) into an AppTest session, runs every page once
to fill the caches, then changes a control on each page and times the rerun. Target (issue 5):
under 300 ms when the heavy work is cached. AppTest runs the script in-process without a
browser, so these figures are the server's share of a rerun.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from cli_bench import synthetic_accounts  # bench/ is on sys.path when run as a script
from streamlit.testing.v1 import AppTest

from analysis.ingest import IngestConfig, InputFile
from ui.state import FILES, INGEST_CONFIG, LoadedFiles

APP = str(Path(__file__).resolve().parents[1] / "app.py")
# page -> (widget kind, key, value to set) changed before the timed rerun
CONTROLS = {
    "pages/overview.py": None,
    "pages/economics.py": ("toggle", "eco_colour", False),
    "pages/segments.py": ("toggle", "seg_only_easy", True),
    "pages/best.py": ("slider", "best_target_threshold", 60),
    "pages/tiers.py": ("selectbox", "tiers_whatif_field", "support_tickets"),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = synthetic_accounts(args.rows)
    files = LoadedFiles((InputFile(path.name, path.read_bytes()),), "upload")
    at = AppTest.from_file(APP, default_timeout=600)
    at.session_state[FILES] = files
    at.session_state[INGEST_CONFIG] = IngestConfig()
    start = time.perf_counter()
    at.run()
    print(
        f"{args.rows:,} accounts: first run (parse, economics, segments) "
        f"{time.perf_counter() - start:.1f} s"
    )
    for page, control in CONTROLS.items():
        at.switch_page(page).run()
        times = []
        original = getattr(at, control[0])(key=control[1]).value if control else None
        for i in range(args.repeat):
            if control:
                kind, key, value = control
                getattr(at, kind)(key=key).set_value(value if i % 2 == 0 else original)
            begin = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - begin)
            assert not at.exception, at.exception
        print(
            f"{page:<22} rerun median {statistics.median(times) * 1000:6.0f} ms "
            f"(max {max(times) * 1000:.0f} ms, target < 300 ms)"
        )


if __name__ == "__main__":
    main()
