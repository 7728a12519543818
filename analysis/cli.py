"""`rightfit`: the same pipeline as the app, headless, for automation and batch scoring.

Errors a user can fix end the run with a one-line message on stderr and exit code 2; anything
else (a bug) with one line and exit code 1, the traceback only with RIGHTFIT_DEBUG=1.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from analysis.economics import UnitCosts, load_unit_costs
from analysis.errors import RightfitError
from analysis.exports import write_table
from analysis.ingest import IngestConfig, InputFile, load_paths, read_raw
from analysis.pipeline import PipelineConfig, Scored, score_accounts, with_overrides
from analysis.prospect_input import prospects_from_table, suggest_prospect_mapping
from analysis.prospects import screen_prospects
from analysis.report import ReportContext, excel_workbook, html_report
from analysis.segmentation import SegmentConfig
from analysis.tiers import TierPolicy, load_tier_policy
from analysis.workspace import DB_NAME, TIER_POLICY, UNIT_COSTS, Workspace

ROLE_FLAGS = ("accounts", "invoices", "tickets", "interactions")


def _add_inputs(command: argparse.ArgumentParser, *, positional: str = "files") -> None:
    """The export files and the settings every command shares with the app."""
    if positional:
        command.add_argument(
            positional, nargs="*", type=Path, metavar="FILE", help="exports; roles detected"
        )
    for role in ROLE_FLAGS:
        command.add_argument(
            f"--{role}",
            type=Path,
            action="append",
            default=[],
            metavar="FILE",
            help=f"a file that is the {role} export (skip role detection)",
        )
    command.add_argument("--unit-costs", type=Path, help="unit cost table, CSV or JSON")
    command.add_argument("--tiers", type=Path, help="service-tier policy, CSV or JSON")
    command.add_argument(
        "--seed", type=int, default=0, help="random seed for clustering (default 0)"
    )
    command.add_argument(
        "--workspace",
        type=Path,
        metavar="DIR",
        help="the app's workspace: its overrides, and its unit costs and tiers unless given",
    )
    command.add_argument("--max-rows", type=int, help="refuse files with more rows than this")
    command.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rightfit",
        description="Which customers are right, wrong and bad for your business.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    segment = commands.add_parser(
        "segment",
        help="score every account: economics, segment, reasons, similarity, tier",
        description="Read exports, compute cost-to-serve and profit, and label every account "
        "right, wrong or bad with reasons. Writes one row per account.",
    )
    _add_inputs(segment)
    segment.add_argument("--out", type=Path, required=True, help="output .csv, .xlsx or .parquet")
    screen = commands.add_parser(
        "screen",
        help="screen prospects against the book of business",
        description="Score each prospect's fit (like our best customers) and risk (like our bad "
        "ones), list expectation mismatches and a recommendation for the team.",
    )
    screen.add_argument("prospects", type=Path, metavar="PROSPECTS", help="prospect list")
    screen.add_argument(
        "--against", type=Path, nargs="+", default=[], metavar="FILE", help="the book's exports"
    )
    _add_inputs(screen, positional="")
    screen.add_argument("--out", type=Path, required=True, help="output .csv, .xlsx or .parquet")
    report = commands.add_parser(
        "report",
        help="the strategy-session report: self-contained HTML or an Excel workbook",
        description="Score the accounts and write the session pack: --out report.html for the "
        "interactive offline report, --out workbook.xlsx for the workbook.",
    )
    _add_inputs(report)
    report.add_argument("--out", type=Path, required=True, help="output .html or .xlsx")
    report.add_argument("--title", default="Quarterly customer review", help="report title")
    return parser


def _progress(quiet: bool, start: float, message: str) -> None:
    if not quiet:
        print(f"[{time.perf_counter() - start:6.1f}s] {message}", file=sys.stderr)


def _score(args: argparse.Namespace, paths: list[Path], start: float) -> Scored:
    """Read the exports and run the whole analysis, as the app does."""
    roles: dict[str, str] = {}
    for role in ROLE_FLAGS:
        for path in getattr(args, role):
            paths.append(path)
            roles[path.name] = role
    if not paths:
        raise RightfitError("no input files: give at least one export (see --help)")
    ingest = IngestConfig() if args.max_rows is None else IngestConfig(max_rows=args.max_rows)
    workspace = _workspace(args.workspace)
    config = PipelineConfig(
        costs=load_unit_costs(args.unit_costs)
        if args.unit_costs
        else _saved(workspace, UNIT_COSTS, UnitCosts.from_json, UnitCosts()),
        segments=replace(SegmentConfig(), random_state=args.seed),
        tiers=load_tier_policy(args.tiers)
        if args.tiers
        else _saved(workspace, TIER_POLICY, TierPolicy.from_json, TierPolicy()),
    )
    portfolio = load_paths(paths, ingest, roles=roles)
    _progress(args.quiet, start, f"read {len(paths)} file(s): {len(portfolio.accounts):,} accounts")
    for warning in portfolio.warnings:
        _progress(args.quiet, start, f"warning: {warning}")
    scored = score_accounts(portfolio.accounts, config)
    _progress(args.quiet, start, f"segmented into {scored.segmentation.k} clusters")
    if workspace is not None:
        scored = with_overrides(scored, workspace.overrides())
    return scored


def _workspace(path: Path | None) -> Workspace | None:
    """The app's saved workspace, when one is named: it must exist (never created here)."""
    if path is None:
        return None
    if not (path / DB_NAME).is_file():
        raise RightfitError(f"{path}: not a Rightfit workspace (no {DB_NAME} in it)")
    return Workspace(path)


def _saved(workspace: Workspace | None, key: str, load, default):
    """A setting saved in the workspace from the app, else the default."""
    text = workspace.load_setting(key) if workspace is not None else None
    return load(text, source=f"workspace setting '{key}'") if text else default


def _segment(args: argparse.Namespace, start: float) -> None:
    scored = _score(args, [*args.files], start)
    write_table(scored.table, args.out)
    _progress(args.quiet, start, f"wrote {len(scored.table):,} rows to {args.out}")


def _screen(args: argparse.Namespace, start: float) -> None:
    book = _score(args, [*args.against], start).table
    raw = read_raw(InputFile(args.prospects.name, args.prospects.read_bytes())).frame
    mapping = suggest_prospect_mapping([str(c) for c in raw.columns])
    screened = screen_prospects(prospects_from_table(raw, mapping), book)
    screened = screened.sort_values(["risk", "fit"], ascending=[True, False], kind="stable")
    write_table(screened, args.out, sheet="prospects")
    _progress(args.quiet, start, f"wrote {len(screened):,} prospects to {args.out}")


def _report(args: argparse.Namespace, start: float) -> None:
    suffix = args.out.suffix.lower()
    if suffix not in (".html", ".xlsx"):
        raise RightfitError(f"{args.out.name}: a report is .html or .xlsx")
    scored = _score(args, [*args.files], start)
    context = ReportContext(scored.table, title=args.title)
    if suffix == ".html":
        args.out.write_text(html_report(context), encoding="utf-8")
    else:
        args.out.write_bytes(excel_workbook(context))
    _progress(args.quiet, start, f"wrote the report to {args.out}")


COMMANDS = MappingProxyType({"segment": _segment, "screen": _screen, "report": _report})


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        COMMANDS[args.command](args, time.perf_counter())
        return 0
    except RightfitError as error:
        print(f"rightfit: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"rightfit: error: {error.filename or ''}: {error.strerror}", file=sys.stderr)
        return 2
    except Exception as error:  # a bug: one line for the user, the traceback on request
        if os.environ.get("RIGHTFIT_DEBUG"):
            raise
        print(
            f"rightfit: internal error ({type(error).__name__}: {error}); "
            "rerun with RIGHTFIT_DEBUG=1 for details and report it",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
