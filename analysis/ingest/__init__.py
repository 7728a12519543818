"""Bytes in, one trustworthy account table out (see docs/ARCHITECTURE.md, "Ingest")."""

from analysis.ingest.headers import (
    ROLES,
    detect_role,
    header_signature,
    mapping_targets,
    normalise,
    suggest_mapping,
)
from analysis.ingest.models import (
    FileReport,
    FrozenMap,
    IngestConfig,
    InputFile,
    Portfolio,
    RawTable,
    TicketRules,
)
from analysis.ingest.portfolio import load_paths, load_portfolio
from analysis.ingest.read import preview_raw, read_raw
from analysis.ingest.sandbox import load_portfolio_isolated, preview_raw_isolated

__all__ = [
    "ROLES",
    "FileReport",
    "FrozenMap",
    "IngestConfig",
    "InputFile",
    "Portfolio",
    "RawTable",
    "TicketRules",
    "detect_role",
    "header_signature",
    "load_paths",
    "load_portfolio",
    "load_portfolio_isolated",
    "mapping_targets",
    "normalise",
    "preview_raw",
    "preview_raw_isolated",
    "read_raw",
    "suggest_mapping",
]
