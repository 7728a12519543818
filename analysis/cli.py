"""`rightfit`: the same pipeline as the app, headless, for automation and batch scoring.

Errors a user can fix end the run with a one-line message on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from analysis.economics import UnitCosts, load_unit_costs
from analysis.errors import RightfitError
from analysis.exports import write_table
from analysis.ingest import IngestConfig, load_paths
from analysis.pipeline import PipelineConfig, score_accounts
from analysis.segmentation import SegmentConfig
from analysis.tiers import TierPolicy, load_tier_policy

ROLE_FLAGS = ("accounts", "invoices", "tickets", "interactions")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rightfit",
        description="Which customers are right, wrong and bad for your business.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    segment = commands.add_parser(
        "segment",
        help="score every account: economics, segment, reasons",
        description="Read exports, compute cost-to-serve and profit, and label every account "
        "right, wrong or bad with reasons. Writes one row per account.",
    )
    segment.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="exports; roles detected"
    )
    for role in ROLE_FLAGS:
        segment.add_argument(
            f"--{role}",
            type=Path,
            action="append",
            default=[],
            metavar="FILE",
            help=f"a file that is the {role} export (skip role detection)",
        )
    segment.add_argument("--out", type=Path, required=True, help="output .csv, .xlsx or .parquet")
    segment.add_argument("--unit-costs", type=Path, help="unit cost table, CSV or JSON")
    segment.add_argument("--tiers", type=Path, help="service-tier policy, CSV or JSON")
    segment.add_argument(
        "--seed", type=int, default=0, help="random seed for clustering (default 0)"
    )
    segment.add_argument("--max-rows", type=int, help="refuse files with more rows than this")
    segment.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    return parser


def _progress(quiet: bool, start: float, message: str) -> None:
    if not quiet:
        print(f"[{time.perf_counter() - start:6.1f}s] {message}", file=sys.stderr)


def _segment(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    paths = [*args.files]
    roles: dict[str, str] = {}
    for role in ROLE_FLAGS:
        for path in getattr(args, role):
            paths.append(path)
            roles[path.name] = role
    if not paths:
        raise RightfitError(
            "no input files: give at least one export (see rightfit segment --help)"
        )
    ingest = IngestConfig() if args.max_rows is None else IngestConfig(max_rows=args.max_rows)
    costs = load_unit_costs(args.unit_costs) if args.unit_costs else UnitCosts()
    portfolio = load_paths(paths, ingest, roles=roles)
    _progress(args.quiet, start, f"read {len(paths)} file(s): {len(portfolio.accounts):,} accounts")
    for warning in portfolio.warnings:
        _progress(args.quiet, start, f"warning: {warning}")
    config = PipelineConfig(
        costs=costs,
        segments=replace(SegmentConfig(), random_state=args.seed),
        tiers=load_tier_policy(args.tiers) if args.tiers else TierPolicy(),
    )
    scored = score_accounts(portfolio.accounts, config)
    _progress(args.quiet, start, f"segmented into {scored.segmentation.k} clusters")
    write_table(scored.table, args.out)
    _progress(args.quiet, start, f"wrote {len(scored.table):,} rows to {args.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _segment(args)
    except RightfitError as error:
        print(f"rightfit: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"rightfit: error: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
