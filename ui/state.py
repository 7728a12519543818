"""Typed session-state keys, the loaded portfolio and the user's settings, in one place.

Every page reads the portfolio through `current()` and the settings through the functions here;
nothing else touches `st.session_state` for them. Settings (unit costs, tier policy, mappings,
best-customer definition, targets) and the last confirmed upload are also kept in the workspace,
so a new session or a restart starts where the team left off.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import streamlit as st

from analysis.economics import UnitCosts
from analysis.ingest import IngestConfig, InputFile, Portfolio
from analysis.pipeline import PipelineConfig, Scored, with_overrides
from analysis.review import SnapshotSettings
from analysis.sample import SAMPLE_FILES
from analysis.segmentation import Segmentation, SegmentConfig
from analysis.similarity import (
    BestDefinition,
    Target,
    definition_from_json,
    definition_to_json,
    targets_from_json,
    targets_to_json,
)
from analysis.tiers import TierPolicy
from analysis.workspace import BEST_CUSTOMER, MAPPING, TARGETS, TIER_POLICY, UNIT_COSTS
from ui import cached, store, widgets

FILES = "portfolio_files"
INGEST_CONFIG = "ingest_config"
SEGMENT_CONFIG = "segment_config"
LAST_UPLOAD = "last upload"  # workspace table: the files themselves, so a restart can reopen them
LAST_UPLOAD_CONFIG = "last_upload_config"


@dataclass(frozen=True)
class LoadedFiles:
    """The files behind the current analysis, with a content key for caches.

    Caches are keyed on a SHA-256 of every byte (not Streamlit's sampled frame hash), so two
    different uploads of the same size and shape can never share a cached result.
    """

    files: tuple[InputFile, ...]
    origin: str  # "sample" or "upload"
    key: str = field(init=False)

    def __post_init__(self) -> None:
        digest = hashlib.sha256()
        for f in self.files:
            digest.update(f.name.encode())
            digest.update(b"\0" + (f.role or "").encode() + b"\0" + (f.sheet or "").encode())
            digest.update(hashlib.sha256(f.data).digest())
        object.__setattr__(self, "key", digest.hexdigest())


def sample_files() -> LoadedFiles:
    files = tuple(
        InputFile(name=path.name, data=path.read_bytes(), role=role)
        for role, path in SAMPLE_FILES.items()
    )
    return LoadedFiles(files, "sample")


def init() -> None:
    """Initialise session state once per session: the sample portfolio until the user uploads."""
    if FILES not in st.session_state:
        st.session_state[FILES] = sample_files()
    st.session_state.setdefault(INGEST_CONFIG, IngestConfig())


def current() -> LoadedFiles:
    init()
    return st.session_state[FILES]


def ingest_config() -> IngestConfig:
    init()
    return st.session_state[INGEST_CONFIG]


def use_files(loaded: LoadedFiles, config: IngestConfig) -> None:
    st.session_state[FILES] = loaded
    st.session_state[INGEST_CONFIG] = config


def remember_upload(loaded: LoadedFiles, config: IngestConfig) -> None:
    """Keep the confirmed upload (bytes, roles, mappings, choices) in the workspace."""
    files = pd.DataFrame(
        {
            "name": [f.name for f in loaded.files],
            "sheet": [f.sheet or "" for f in loaded.files],
            "data": [f.data for f in loaded.files],
        }
    )
    choices = {
        "roles": dict(config.roles),
        "mappings": {name: dict(mapping) for name, mapping in config.mappings.items()},
        "duplicates": config.duplicates,
        "date_order": config.date_order,
    }
    widgets.guarded(lambda: store.workspace().save_table(LAST_UPLOAD, files))
    widgets.guarded(lambda: store.workspace().save_setting(LAST_UPLOAD_CONFIG, json.dumps(choices)))


def last_upload() -> tuple[LoadedFiles, IngestConfig] | None:
    """The upload kept by `remember_upload`, as it was confirmed; None when there is none."""
    files = widgets.guarded(lambda: store.workspace().load_table(LAST_UPLOAD))
    text = widgets.guarded(lambda: store.workspace().load_setting(LAST_UPLOAD_CONFIG))
    if files is None or not text:
        return None
    inputs = tuple(
        InputFile(name=row.name, data=bytes(row.data), sheet=row.sheet or None)
        for row in files.itertuples(index=False)
    )
    return LoadedFiles(inputs, "upload"), IngestConfig(**json.loads(text))


def use_sample() -> None:
    use_files(sample_files(), IngestConfig())


def _saved(key: str, load: Callable[[str], object], default: object) -> object:
    """A setting for this session: as last saved in the workspace, else the default."""
    if key not in st.session_state:
        text = widgets.guarded(lambda: store.workspace().load_setting(key))
        st.session_state[key] = widgets.guarded(lambda: load(text)) if text else default
    return st.session_state[key]


def _save(key: str, value: object, text: str) -> None:
    """Use a setting from now on, and keep it (as JSON `text`) in the workspace for next time."""
    widgets.guarded(lambda: store.workspace().save_setting(key, text))
    st.session_state[key] = value


def unit_costs() -> UnitCosts:
    return _saved(UNIT_COSTS, UnitCosts.from_json, UnitCosts())


def save_unit_costs(costs: UnitCosts) -> None:
    _save(UNIT_COSTS, costs, costs.to_json())


def tier_policy() -> TierPolicy:
    return _saved(TIER_POLICY, TierPolicy.from_json, TierPolicy())


def save_tier_policy(policy: TierPolicy) -> None:
    _save(TIER_POLICY, policy, policy.to_json())


def settings() -> SnapshotSettings:
    """The settings the current analysis is made with, as a snapshot records them."""
    return SnapshotSettings(unit_costs(), tier_policy(), best_definition())


def use_settings(kept: SnapshotSettings) -> None:
    """Make a snapshot's recorded settings the current ones (those it lacks stay as they are)."""
    for value, save in (
        (kept.unit_costs, save_unit_costs),
        (kept.tier_policy, save_tier_policy),
        (kept.best, save_best_definition),
    ):
        if value is not None:
            save(value)


def saved_mappings() -> dict[str, dict[str, str]]:
    """Confirmed column mappings by header signature, offered again for files shaped the same."""
    return dict(_saved(MAPPING, json.loads, {}))


def save_mappings(mappings: dict[str, dict[str, str]]) -> None:
    _save(MAPPING, mappings, json.dumps(mappings))


def best_definition() -> BestDefinition:
    return _saved(BEST_CUSTOMER, definition_from_json, BestDefinition.right_segment())


def save_best_definition(definition: BestDefinition) -> None:
    _save(BEST_CUSTOMER, definition, definition_to_json(definition))


def targets() -> list[Target]:
    return _saved(TARGETS, targets_from_json, [])


def save_targets(targets: list[Target]) -> None:
    _save(TARGETS, targets, targets_to_json(targets))


def segment_config() -> SegmentConfig:
    return st.session_state.setdefault(SEGMENT_CONFIG, SegmentConfig())


def portfolio() -> Portfolio:
    """The loaded portfolio; an unusable upload shows its message and stops the page."""
    loaded = current()
    return widgets.guarded(lambda: cached.portfolio(loaded.key, loaded.files, ingest_config()))


def economics() -> pd.DataFrame:
    loaded = current()
    return widgets.guarded(
        lambda: cached.economics(loaded.key, loaded.files, ingest_config(), unit_costs())
    )


def pipeline_config() -> PipelineConfig:
    """Every setting the user has made, as one hashable config."""
    return PipelineConfig(
        costs=unit_costs(),
        segments=segment_config(),
        best=best_definition(),
        tiers=tier_policy(),
    )


def scored() -> Scored:
    """Economics, segments, similarity and tiers for the loaded portfolio and current settings,
    with the team's overrides from the workspace applied to the table every export reads."""
    loaded = current()
    result = widgets.guarded(
        lambda: cached.scored(loaded.key, loaded.files, ingest_config(), pipeline_config())
    )
    return with_overrides(result, widgets.guarded(lambda: store.workspace().overrides()))


def segmentation() -> Segmentation:
    return scored().segmentation


def current_quarter(today: date | None = None) -> str:
    """The calendar quarter a snapshot or target defaults to, e.g. "2026-Q4"."""
    today = today or date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
