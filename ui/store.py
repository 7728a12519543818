"""The workspace folder, one `Workspace` per server and folder: it keeps no per-user data in
memory (every call opens the folder), so sharing it between sessions is safe."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.workspace import Workspace, default_root


@st.cache_resource(show_spinner=False)
def _workspace(root: str) -> Workspace:
    return Workspace(root)


def root() -> str:
    return str(default_root().resolve())


def workspace() -> Workspace:
    """The workspace at `$RIGHTFIT_WORKSPACE` (or ./workspace), opened once per server."""
    return _workspace(root())


@st.cache_data(max_entries=16, show_spinner="Opening the snapshot…")
def snapshot(root: str, name: str, created_at: str) -> tuple[pd.DataFrame, dict]:
    """A stored snapshot, cached on its folder, name and save time (a re-save misses the cache)."""
    return _workspace(root).load_snapshot(name)
