"""Every page runs on the sample portfolio without an exception (Streamlit's AppTest)."""

from __future__ import annotations

import pytest
from apptest import PAGES, new_session
from streamlit.testing.v1 import AppTest


@pytest.fixture
def app() -> AppTest:
    at = new_session()
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_shows_sample_banner_and_portfolio(app: AppTest) -> None:
    assert any("sample portfolio" in info.value for info in app.info)
    assert any("accounts" in text.value for text in app.sidebar.text)
    assert app.title[0].value == "Your customer mix"


@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[1][:-3] for p in PAGES])
def test_page_runs_without_exception(app: AppTest, page: str) -> None:
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert not [e for e in app.error], [e.value for e in app.error]


def test_override_is_saved_shown_and_exported(app: AppTest) -> None:
    app.switch_page("pages/segments.py").run()
    app.text_input(key="seg_override_id").set_value("A-000102")
    app.selectbox(key="seg_override_segment").set_value("bad")
    app.text_input(key="seg_override_by").set_value("Dana")
    app.text_input(key="seg_override_reason").set_value("disputes every invoice")
    app.button(key="FormSubmitter:seg_override-Save override").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert "A-000102" in app.selectbox(key="seg_override_remove").options
    tables = [d.value for d in app.dataframe if "override_reason" in d.value.columns]
    row = tables[0].set_index("account_id").loc["A-000102"]
    assert (row["segment"], row["override_reason"]) == ("bad", "disputes every invoice")

    app.button(key="seg_override_remove_button").click().run()
    assert not app.exception
    assert all(getattr(w, "key", None) != "seg_override_remove" for w in app.selectbox)


def test_unit_costs_survive_a_new_session() -> None:
    """Applied settings are kept in the workspace: a new session (a restart) starts with them."""
    from analysis.economics import UnitCosts
    from analysis.workspace import UNIT_COSTS, Workspace, default_root

    costs = UnitCosts().with_driver("complaints", cost=500.0)
    Workspace(default_root()).save_setting(UNIT_COSTS, costs.to_json())
    fresh = new_session()
    fresh.switch_page("pages/economics.py").run()
    assert not fresh.exception
    assert fresh.session_state[UNIT_COSTS].unit_cost("complaints") == pytest.approx(500.0)


def test_best_definition_and_targets_are_kept(app: AppTest) -> None:
    app.switch_page("pages/best.py").run()
    app.button(key="FormSubmitter:best_target-Save target").click().run()
    assert not app.exception and not app.error
    app.segmented_control(key="best_how").set_value("A rule").run()
    app.button(key="FormSubmitter:best_rule-Use this rule").click().run()
    assert not app.exception and not app.error

    fresh = new_session()
    fresh.switch_page("pages/best.py").run()
    assert not fresh.exception
    assert fresh.session_state["best_customer"].kind == "rules"
    assert len(fresh.session_state["targets"]) == 1
    assert any("goal" in d.value.columns for d in fresh.dataframe)


@pytest.mark.parametrize("rows", [1, 2], ids=["one-account", "two-accounts"])
def test_tiny_upload_runs_every_page(rows: int) -> None:
    from analysis.ingest import InputFile
    from ui.state import FILES, LoadedFiles

    data = b"Customer,Sales\n" + b"".join(f"C{i},{10 * (i + 1)}\n".encode() for i in range(rows))
    at = new_session()
    at.session_state[FILES] = LoadedFiles((InputFile("tiny.csv", data),), "upload")
    at.run()
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception and not at.error, (page, [e.value for e in at.error])


def test_last_upload_reopens_after_a_restart() -> None:
    """What the previous session confirmed is kept in the workspace and opens again as it was."""
    import json

    import pandas as pd

    from analysis.workspace import Workspace, default_root
    from ui.state import LAST_UPLOAD, LAST_UPLOAD_CONFIG

    data = b"Client;Total Spent\nAcme;1.234,50\nBeta;99,00\n"
    workspace = Workspace(default_root())
    workspace.save_table(
        LAST_UPLOAD, pd.DataFrame({"name": ["crm.csv"], "sheet": [""], "data": [data]})
    )
    choices = {
        "roles": {"crm.csv": "accounts"},
        "mappings": {},
        "duplicates": "flag",
        "date_order": "dmy",
    }
    workspace.save_setting(LAST_UPLOAD_CONFIG, json.dumps(choices))

    at = new_session()
    at.switch_page("pages/data.py").run()
    at.button(key="data_last_upload").click().run()
    at.run()  # the button's st.rerun ends that run early; AppTest shows the next one on .run()
    assert not at.exception and not at.error
    # (AppTest leaves the sidebar empty after switch_page; the Data page names the files too)
    assert any(t.value.startswith("crm.csv: accounts · 2 rows in, 2 used") for t in at.text)
    assert at.session_state["ingest_config"].duplicates == "flag"
    revenue = [d.value for d in at.dataframe if "revenue" in d.value.columns][-1]["revenue"]
    assert sorted(revenue.tolist()) == [99.0, 1234.5]


def test_data_page_shows_the_sample_per_quarter(app: AppTest) -> None:
    """The dated sample events give a per-quarter table that adds up to the account table."""
    app.switch_page("pages/data.py").run()
    assert not app.exception, app.exception
    assert any(h.value == "Per quarter" for h in app.subheader)
    totals = next(d.value for d in app.dataframe if "accounts" in d.value.columns)
    assert totals["quarter"].is_monotonic_increasing and (totals["accounts"] > 0).all()
    from analysis.ingest import load_paths
    from analysis.sample import SAMPLE_FILES

    quarters = load_paths(list(SAMPLE_FILES.values())).account_quarters
    assert totals["orders"].sum() == quarters["orders"].sum()
    assert totals["revenue"].sum() == pytest.approx(quarters["revenue"].sum())
