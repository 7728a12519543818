"""Rightfit analysis: every number the app shows, as pure functions on DataFrames (no UI)."""
