"""The reasons in the workbench (issue 12), in a real browser: the computed
summary atop the analysis, the statements a move gains and loses with their
sources in the state panel, and the diagnosis of each future after a
scenario run.  Fixtures and helpers are those of ``test_browser.py``."""

from __future__ import annotations

from typing import Any

import pytest
from tests.test_browser import FLAGSHIP, api, open_view, shot

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.timeout(120)

from tests.test_browser import browser, page, server  # noqa: E402,F401  (fixtures)


def test_analysis_opens_with_the_summary_and_explains_statements(page: Any) -> None:  # noqa: F811
    open_view(page, FLAGSHIP, "analysis")
    expected = api(page, "POST", "/api/analyze", {"case": FLAGSHIP})
    box = page.locator('[data-testid="summary"]')
    sync_api.expect(box.locator("li").first).to_have_text(expected["summary"][0])
    sq = expected["status_quo"]
    page.locator(f'.state-graph .node[data-state="{sq}"]').click()
    details = page.locator(".details")
    sync_api.expect(details.locator("h2")).to_have_text(f"State {sq}")
    explained = api(page, "GET", f"/api/cases/{FLAGSHIP}/states/{sq}?concept=nash")
    sync_api.expect(details.locator(".state-summary")).to_have_text(explained["summary"])
    # every statement gained or lost by some move is shown with its source
    first = next(
        (m, st)
        for d in explained["decision_makers"]
        for m in d["moves"]
        for st in m.get("statements", [])
        if st.get("quote")
    )
    sync_api.expect(
        details.locator(".statements code", has_text=first[1]["statement"]).first
    ).to_be_attached()
    sync_api.expect(
        details.locator(".statements .quote", has_text=first[1]["quote"][:40]).first
    ).to_be_attached()


def test_scenario_run_shows_why_each_future(page: Any) -> None:  # noqa: F811
    open_view(page, FLAGSHIP, "scenarios")
    page.get_by_label("Samples").fill("100")
    page.get_by_label("Seed").fill("3")
    page.get_by_role("button", name="Start the run").click()
    diag = page.locator('[data-testid="diagnostics"]')
    sync_api.expect(diag).to_be_attached(timeout=45_000)
    run = api(page, "GET", f"/api/runs/{api(page, 'GET', '/api/runs')[0]['id']}")
    result = run["result"]
    for row in result["diagnostics"]:
        sync_api.expect(diag.locator(f'tr[data-future="{row["future"]}"]')).to_contain_text(row["kind"])
    sync_api.expect(page.locator('.scenario-result [data-testid="summary"] li').first).to_have_text(
        result["summary"][0]
    )
    if result["method"] == "exact":
        sync_api.expect(page.locator('[data-testid="decomposition"] tbody tr')).to_have_count(
            min(60, len(result["decomposition"]))
        )
    shot(page, "scenarios-why")
