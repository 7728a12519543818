"""Data: upload exports, confirm each file's role and column mapping, and see what was used."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from analysis import schema
from analysis.ingest import (
    ROLES,
    IngestConfig,
    InputFile,
    RawTable,
    header_signature,
    mapping_targets,
)
from ui import cached, charts, state, widgets
from ui.state import LoadedFiles

ACCEPTED = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods", "parquet"]
JUST_LOADED = "data_just_loaded"

st.title("Data")
st.caption(
    "Upload the exports you have: an accounts file from your CRM or BI tool, and/or invoices, "
    "tickets and interactions. Rightfit detects what each file is; you confirm it."
)

if st.session_state.pop(JUST_LOADED, False):
    st.toast("Files loaded: every page now uses them.", icon=":material/check:")

uploads = st.file_uploader(
    "Account, invoice, ticket or interaction exports (CSV, Excel, Parquet)",
    type=ACCEPTED,
    accept_multiple_files=True,
    key="data_upload",
)

if uploads:
    saved = state.saved_mappings()
    st.subheader("Confirm what each file is")
    files: list[InputFile] = []
    raws: list[RawTable] = []
    roles: dict[str, str] = {}
    for index, upload in enumerate(uploads):
        file = InputFile(name=upload.name, data=upload.getvalue())
        raw = widgets.guarded(lambda file=file: cached.raw_table(file, IngestConfig()))
        with st.container(border=True):
            st.text(f"{index + 1}. {file.name}")
            if len(raw.sheets) > 1:
                sheet = st.selectbox(
                    "Sheet",
                    raw.sheets,
                    index=raw.sheets.index(raw.sheet),
                    key=f"data_sheet_{index}",
                )
                if sheet != raw.sheet:
                    file = replace(file, sheet=sheet)
                    raw = widgets.guarded(lambda file=file: cached.raw_table(file, IngestConfig()))
            st.caption(f"{raw.rows:,} rows · {len(raw.frame.columns)} columns")
            if raw.trimmed_top or raw.trimmed_bottom:
                st.caption("Report rows trimmed above and below the table:")
                st.text("\n".join([*raw.trimmed_top, "…table…", *raw.trimmed_bottom]))
            role, confidence = cached.detect_role(tuple(str(c) for c in raw.frame.columns))
            roles[file.name] = st.selectbox(
                f"What this file is (detected: {role}, {confidence:.0%} sure)",
                ROLES,
                index=ROLES.index(role),
                key=f"data_role_{index}",
            )
        files.append(file)
        raws.append(raw)

    mappings: dict[str, dict[str, str]] = {}
    with st.form("data_confirm", border=True):
        st.subheader("Confirm the columns")
        for index, (file, raw) in enumerate(zip(files, raws, strict=True)):
            st.text(f"{index + 1}. {file.name}: {roles[file.name]}")
            columns = [str(c) for c in raw.frame.columns]
            suggested = saved.get(header_signature(columns)) or cached.suggest_mapping(
                tuple(columns), roles[file.name]
            )
            targets = ["(ignore)", *mapping_targets(roles[file.name])]
            editor = st.data_editor(
                {
                    "column in file": columns,
                    "Rightfit field": [suggested.get(c, "(ignore)") for c in columns],
                },
                column_config={
                    "column in file": st.column_config.TextColumn(disabled=True),
                    "Rightfit field": st.column_config.SelectboxColumn(options=targets),
                },
                hide_index=True,
                key=f"data_mapping_{index}_{roles[file.name]}",
            )
            mappings[file.name] = {
                src: dst
                for src, dst in zip(editor["column in file"], editor["Rightfit field"], strict=True)
                if dst and dst != "(ignore)"
            }
            with st.expander("Preview the first rows"):
                st.dataframe(raw.frame.head(20), hide_index=True)
        duplicates = st.radio(
            "Duplicated account ids",
            ["merge", "flag"],
            horizontal=True,
            captions=["add their figures together", "keep the first, quarantine the rest"],
            key="data_duplicates",
        )
        date_order = st.radio(
            "Dates like 03/04/2026 mean",
            ["auto", "mdy", "dmy", "ymd"],
            horizontal=True,
            captions=["detect (ask when ambiguous)", "month first", "day first", "year first"],
            key="data_date_order",
        )
        submitted = st.form_submit_button("Use these files", type="primary")
    if submitted:
        config = IngestConfig(
            roles=roles, mappings=mappings, duplicates=duplicates, date_order=date_order
        )
        loaded = LoadedFiles(tuple(files), "upload")
        widgets.guarded(lambda: cached.portfolio(loaded.key, loaded.files, config))
        for file, raw in zip(files, raws, strict=True):
            saved[header_signature([str(c) for c in raw.frame.columns])] = mappings[file.name]
        state.save_mappings(saved)
        state.use_files(loaded, config)
        state.remember_upload(loaded, config)
        st.session_state[JUST_LOADED] = True
        st.rerun()

loaded = state.current()
portfolio = state.portfolio()
if loaded.origin == "upload" and st.button("Back to the sample portfolio", key="data_use_sample"):
    state.use_sample()
    st.rerun()
if loaded.origin == "sample" and not uploads and (previous := state.last_upload()):
    names = ", ".join(f.name for f in previous[0].files)
    st.caption("The workspace keeps the files you confirmed last time:")
    st.text(names)
    if st.button("Open them again", key="data_last_upload"):
        state.use_files(*previous)
        st.rerun()

st.header("What was loaded")
for warning in portfolio.warnings:
    st.warning(widgets.plain(warning), icon=":material/warning:")
if portfolio.missing:
    st.info(
        "Not in your files (later steps work without them and say where results are coarser): "
        + ", ".join(portfolio.missing),
        icon=":material/info:",
    )

st.subheader("Reconciliation")
st.caption("Rows in = rows used + rows quarantined; revenue in the files = revenue in the table.")
widgets.table(portfolio.reconciliation, key="data_reconciliation")
widgets.download_table(
    portfolio.reconciliation, "reconciliation", key="data_recon_dl", tag=loaded.key
)

st.subheader("Per file")
for number, report in enumerate(portfolio.files):
    with st.container(border=True):
        st.text(
            f"{report.name}: {report.role} · {report.rows_in:,} rows in, "
            f"{report.rows_used:,} used, {report.rows_quarantined:,} quarantined · "
            f"encoding {report.encoding or '–'}"
        )
        st.dataframe(report.parse_table(), hide_index=True, key=f"data_parse_{number}")

st.subheader(f"Quarantined rows ({len(portfolio.quarantine):,})")
if portfolio.quarantine.empty:
    st.success("No row was quarantined.", icon=":material/check:")
else:
    st.dataframe(portfolio.quarantine.head(5000), hide_index=True, key="data_quarantine")
    widgets.download_table(
        portfolio.quarantine, "quarantine", key="data_quarantine_dl", tag=loaded.key
    )

totals = widgets.guarded(
    lambda: cached.quarter_totals(loaded.key, loaded.files, state.ingest_config())
)
if totals is not None:
    st.subheader("Per quarter")
    st.caption(
        "What the dated event files (invoices, tickets, interactions) show each quarter; "
        "an invoice counts in the quarter of its first date."
    )
    widgets.chart(
        charts.quarter_bars(totals), "quarters", key="data_quarters_chart", tag=loaded.key
    )
    widgets.table(totals, key="data_quarters")
    widgets.download_table(totals, "quarters", key="data_quarters_dl", tag=loaded.key)
    st.caption("The same, per account and quarter:")
    widgets.download_table(
        portfolio.account_quarters,
        "account-quarters",
        key="data_account_quarters_dl",
        tag=loaded.key,
    )

st.subheader("Account table")
widgets.table(portfolio.accounts, key="data_accounts")
widgets.download_table(portfolio.accounts, "accounts", key="data_accounts_dl", tag=loaded.key)
with st.expander("What each field means"):
    st.dataframe(
        [{"field": f.name, "unit": f.unit, "meaning": f.meaning} for f in schema.FIELDS],
        hide_index=True,
    )
