"""The workbench for analysts (issue 16) in a real browser (Playwright, Debian's Chromium).

Each test works as a new user would: the editor lists every problem and jumps
to each, renames an option everywhere, guards unsaved edits and saves on
Ctrl+S, keeps the YAML comments on a form save; a cancelled run resumes to the
result of an uninterrupted one; the run page's report carries the run; two
runs compare side by side; a bargaining-only case opens on its forecast; the
what-if sliders move the probabilities (labelled as a Monte Carlo preview);
the library searches; the graph filters; the state panel follows the table
row; nothing scrolls sideways at 390 px.  Like tests/test_browser.py, every
test checks that no request left the origin and that the page logged no
error, and keeps screenshots in ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from test_browser import (  # the same server, browser and page fixtures (skips without Chromium)
    FLAGSHIP,
    api,
    browser,
    open_view,
    page,
    server,
    shot,
    sync_api,
)

__all__ = ["browser", "page", "server"]  # fixtures, imported for pytest

pytestmark = pytest.mark.timeout(150)

THREE_UNKNOWN = """\
# A comment the form must keep.
title: Two parties
decision_makers:
  - name: A
    options:
      - name: a_acts
    preferences:
      - b_dances  # unknown
      - not a_acts
  - name: B
    options:
      - name: b_acts
    preferences:
      - a_sings
      - not b_walks
status_quo: NN
"""

GOOD = """\
# Kept through form saves.
title: Two parties
decision_makers:
  - name: A
    options:
      - name: a_acts  # A's only option
    preferences:
      - b_acts
      - not a_acts
  - name: B
    options:
      - name: b_acts
    preferences:
      - a_acts
      - not b_acts
status_quo: NN
scenarios:
  calm: not a_acts and not b_acts
"""


def _user_case(page: Any, name: str, text: str) -> str:
    page.goto("/")
    cases = {c["id"] for c in api(page, "GET", "/api/cases")}
    if f"user:{name}" in cases:
        api(page, "DELETE", f"/api/cases/user:{name}")
    created = api(page, "POST", "/api/cases", {"name": name, "text": text, "format": "yaml"})
    return str(created["id"])


def _no_sideways_scroll(page: Any) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    culprits = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                            && !e.closest('.table-scroll, .graph-scroll, .raw-editor, dialog'))
             .slice(0, 5).map((e) => e.tagName + '.' + e.className)"""
    )
    assert wide <= 0, f"the page scrolls sideways by {wide} px: {culprits}"


# ---------------------------------------------------------------- editor


def test_editor_lists_every_problem_and_jumps_to_each(page: Any) -> None:
    case = _user_case(page, "three-unknown", GOOD)  # the store refuses an invalid case
    open_view(page, case, "edit", "?mode=yaml")
    text = page.locator("textarea.raw-text")
    sync_api.expect(text).to_have_value(re.compile("Kept through"))
    text.fill(THREE_UNKNOWN)
    sync_api.expect(page.locator("#val-state")).to_contain_text("3 problems")
    page.get_by_text("Form", exact=True).click()
    items = page.locator(".validation .val-list li.error")
    sync_api.expect(items).to_have_count(3)
    # each message sits beside its statement, below the input, full width
    for path in ("0.preferences.0", "1.preferences.0"):  # a bare list of statements
        field = page.locator(f'input[data-path="decision_makers.{path}"]')
        sync_api.expect(field).to_have_attribute("aria-invalid", "true")
        note = page.locator(f"#{field.get_attribute('aria-describedby')}")
        box = note.bounding_box()
        assert box is not None and box["width"] >= 0.8 * (field.bounding_box() or {"width": 1})["width"], (
            "the message is squeezed into a narrow column"
        )
    shot(page, "editor-three-problems")
    # the list jumps to each problem
    items.nth(2).locator("button.where").click()
    focused = page.evaluate("document.activeElement.dataset.path")
    assert focused == "decision_makers.1.preferences.1"
    # the YAML mode marks the three lines
    page.get_by_text("YAML", exact=True).click()
    raw = page.locator("textarea.raw-text")
    sync_api.expect(raw).to_have_value(re.compile("# A comment the form must keep."))
    sync_api.expect(page.locator(".raw-gutter .line-bad")).to_have_count(3)
    sync_api.expect(page.locator(".raw-messages li")).to_have_count(3)
    page.locator('.raw-messages li[data-line="15"] button').click()
    selected = page.evaluate(
        "(() => { const t = document.querySelector('textarea.raw-text');"
        " return t.value.slice(t.selectionStart, t.selectionEnd); })()"
    )
    assert selected.strip() == "- not b_walks"
    shot(page, "editor-three-problems-yaml")


def test_renaming_an_option_renames_it_everywhere(page: Any) -> None:
    case = _user_case(page, "rename-option", GOOD)
    open_view(page, case, "edit")
    sync_api.expect(page.locator("#val-state")).to_contain_text("no problems")
    name = page.locator('input[data-path="decision_makers.0.options.0.name"]')
    name.fill("a_moves")
    name.press("Tab")
    dialog = page.locator("dialog[open]")
    sync_api.expect(dialog).to_contain_text("a_acts")
    dialog.get_by_role("button", name=re.compile("^Rename in 3 places")).click()
    sync_api.expect(page.locator("#val-state")).to_contain_text("no problems")
    sync_api.expect(page.locator('input[data-path="decision_makers.1.preferences.0"]')).to_have_value(
        "a_moves"
    )
    # Ctrl+S saves; the comments of the file survive a form save
    page.keyboard.press("Control+s")
    sync_api.expect(page.locator("#status")).to_contain_text("Saved version 2")
    saved = api(page, "GET", f"/api/cases/{case}")["text"]
    assert "# Kept through form saves." in saved
    assert "# A's only option" in saved
    assert "a_acts" not in saved and saved.count("a_moves") == 4
    assert api(page, "POST", "/api/validate", {"text": saved, "format": "yaml"})["ok"]
    # the two versions side by side: what changed in the inputs
    page.get_by_role("link", name="Compare versions").click()
    changes = page.locator('[data-testid="input-changes"]')
    sync_api.expect(changes).to_be_visible(timeout=60_000)
    renamed = changes.locator("tr", has_text="decision_makers.0.options.0.name")
    sync_api.expect(renamed).to_contain_text("a_moves")
    sync_api.expect(page.locator('[data-testid="compare-table"] tr[data-scenario="calm"]')).to_be_visible()
    shot(page, "compare-versions")


def test_unsaved_changes_guard_every_navigation(page: Any) -> None:
    case = _user_case(page, "guarded", GOOD)
    open_view(page, case, "edit")
    title = page.locator('input[data-path="title"]')
    title.fill("Two parties, changed")
    page.locator("#casenav a[data-view=analysis]").click()
    dialog = page.locator("dialog[open]")
    sync_api.expect(dialog).to_contain_text("unsaved changes")
    assert "/edit" in page.url
    shot(page, "editor-unsaved-guard")
    dialog.get_by_role("button", name="Cancel").click()
    sync_api.expect(title).to_have_value("Two parties, changed")
    # a hash route typed or followed by a link asks too; leaving discards
    page.evaluate("window.location.hash = '#/runs'")
    dialog = page.locator("dialog[open]")
    sync_api.expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Leave without saving").click()
    sync_api.expect(page.locator("main h1")).to_have_text("Runs")
    assert api(page, "GET", f"/api/cases/{case}")["version"] == 1


# ---------------------------------------------------------------- runs


def _run_through_the_page(page: Any, samples: int, seed: int) -> None:
    page.get_by_label("Samples").fill(str(samples))
    page.get_by_label("Seed").fill(str(seed))
    page.get_by_role("button", name="Start the run").click()


def test_cancelled_run_resumes_to_the_uninterrupted_result(page: Any) -> None:
    # the flagship (its phase dynamics take about a millisecond a sample): slow enough to cancel midway
    open_view(page, FLAGSHIP, "scenarios")
    _run_through_the_page(page, 8000, 5)
    cancel = page.get_by_role("button", name="Cancel")
    sync_api.expect(cancel).to_be_visible()
    page.wait_for_function(
        "() => /running: [1-9]/.test(document.querySelector('.progress-row [role=status]').textContent)",
        timeout=60_000,
    )
    cancel.click()
    resume = page.locator(".cancelled-run").get_by_role("button", name="Resume")
    sync_api.expect(resume).to_be_visible(timeout=30_000)
    runs = api(page, "GET", "/api/runs")
    run = runs[0]
    assert run["status"] == "cancelled" and run["batches_done"] >= 1
    shot(page, "run-cancelled-resume")
    resume.click()
    sync_api.expect(page.locator('[data-testid="scenario-table"]')).to_be_attached(timeout=120_000)
    resumed = api(page, "GET", f"/api/runs/{run['id']}")
    assert resumed["status"] == "done"
    whole = api(page, "POST", "/api/jobs", {"case": FLAGSHIP, "samples": 8000, "seed": 5})
    deadline = time.monotonic() + 120
    while api(page, "GET", f"/api/jobs/{whole['job']}")["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, "the uninterrupted run did not finish"
        time.sleep(0.3)
    uninterrupted = api(page, "GET", f"/api/runs/{whole['run']}")
    assert resumed["result"]["scenarios"] == uninterrupted["result"]["scenarios"]
    # the run list: title, samples, seed, concept, status, and a report with the run
    page.goto("/#/runs")
    row = page.locator(f'.runs-table tr[data-run="{run["id"]}"]')
    sync_api.expect(row).to_contain_text("Secret US–Russia back-channel talks")
    sync_api.expect(row).to_contain_text("8,000")
    sync_api.expect(row).to_contain_text("Nash")
    sync_api.expect(row).to_contain_text("done")
    report = row.get_by_role("link", name=re.compile("HTML report"))
    assert report.get_attribute("href") == f"/api/cases/bundled%3Aukraine-backchannel/report?run={run['id']}"
    # compare the two runs
    row.get_by_role("checkbox").check()
    page.locator(f'.runs-table tr[data-run="{whole["run"]}"]').get_by_role("checkbox").check()
    page.get_by_role("button", name=re.compile("^Compare runs")).click()
    table = page.locator('[data-testid="compare-table"]')
    sync_api.expect(table).to_be_visible()
    sync_api.expect(table.locator("tbody tr")).to_have_count(len(uninterrupted["result"]["scenarios"]))
    sync_api.expect(page.locator("main")).to_contain_text("Both runs used the same case version.")
    shot(page, "compare-runs")


def test_run_page_report_includes_the_run_and_sensitivity_is_readable(page: Any) -> None:
    open_view(page, FLAGSHIP, "scenarios")
    _run_through_the_page(page, 300, 2)
    sync_api.expect(page.locator('[data-testid="scenario-table"]')).to_be_attached(timeout=90_000)
    run = api(page, "GET", "/api/runs")[0]
    # sensitivity: each label on at most two lines, in full on hover and in the table
    sens = page.locator('[data-testid="sensitivity-table"]')
    sync_api.expect(sens).to_be_attached()
    result = api(page, "GET", f"/api/runs/{run['id']}")["result"]
    labels = [r["label"] for r in result["sensitivity"]]
    page.locator("details:has([data-testid=sensitivity-table]) > summary").click()
    for label in labels[:5]:
        sync_api.expect(sens).to_contain_text(label)
    titles = page.locator(".scenario-result svg .row-label > title").all_text_contents()
    assert any(labels[0] in t for t in titles)
    sync_api.expect(page.locator(".scenario-result")).to_contain_text("upper bar, blue")
    assert "light bar" not in (page.locator(".scenario-result").text_content() or "")
    shot(page, "scenarios-sensitivity")
    page.goto(f"/#/run/{run['id']}")
    link = page.locator("main .page-header").get_by_role("link", name=re.compile("HTML report"))
    href = link.get_attribute("href")
    assert href == f"/api/cases/bundled%3Aukraine-backchannel/report?run={run['id']}"
    html = page.request.get(href).text()
    first = next(iter(result["scenarios"].values()))
    assert first["label"] in html


# ---------------------------------------------------------------- bargaining-only, what-if


def test_bargaining_only_case_opens_on_forecast_and_runs_scenarios(page: Any) -> None:
    page.goto("/#/cases")
    page.get_by_role("link", name=re.compile("^EC car emission standards")).click()
    sync_api.expect(page.locator("main h1")).to_contain_text("Forecast")
    assert page.url.endswith("/forecast")
    # even asked for the analysis, it opens on the forecast
    open_view(page, "bundled:ec-emission-standards", "analysis")
    sync_api.expect(page.locator("main h1")).to_contain_text("Forecast")
    open_view(page, "bundled:ec-emission-standards", "scenarios")
    _run_through_the_page(page, 100, 1)
    issues = page.locator('[data-testid="issue-table"] tbody tr')
    sync_api.expect(issues).to_have_count(1, timeout=60_000)
    sync_api.expect(issues.first).to_contain_text("Timing of the emission standards")
    sync_api.expect(page.locator(".scenario-result")).not_to_contain_text("Robust equilibria")
    shot(page, "bargaining-scenarios")


def test_whatif_sliders_move_the_probabilities(page: Any) -> None:
    open_view(page, FLAGSHIP, "whatif")
    label = page.locator(".method-label")
    sync_api.expect(label).to_contain_text("Monte Carlo preview: 500 samples", timeout=60_000)
    table = page.locator('[data-testid="compare-table"]')
    sync_api.expect(table).to_be_visible()
    before = table.locator("tbody td:nth-child(3)").all_text_contents()
    kinds = set(page.locator(".knob input[type=range]").evaluate_all("els => els.map(e => e.dataset.kind)"))
    assert {"statement", "weight"} <= kinds
    slider = page.locator('.knob input[data-kind="statement"]').first
    slider.focus()
    for _ in range(20):  # down to 0: the statement never holds
        page.keyboard.press("ArrowLeft")
    page.wait_for_function(
        "(b) => { const c = [...document.querySelectorAll("
        "'[data-testid=compare-table] tbody td:nth-child(3)')].map(td => td.textContent);"
        " return c.length && JSON.stringify(c) !== JSON.stringify(b); }",
        arg=before,
        timeout=30_000,
    )
    seconds = float(re.search(r"\(([\d.]+) s\)", label.text_content() or "").group(1))  # type: ignore[union-attr]
    print(f"what-if preview of the flagship: {seconds:.2f} s")
    shot(page, "whatif")
    # save as a new case (the flagship is bundled)
    page.get_by_role("button", name="Save as a new case…").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Name").fill("flagship-whatif")
    dialog.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"user%3Aflagship-whatif/whatif"), timeout=30_000)
    saved = api(page, "GET", "/api/cases/user:flagship-whatif")
    assert "probability: 0" in saved["text"]
    assert "# ------------------------------------------------------------------ US" in saved["text"], (
        "the comments of the case are kept"
    )
    csrf = page.request.get("/api/session").json()["csrf"]
    assert page.request.delete("/api/cases/user:flagship-whatif", headers={"X-CSRF-Token": csrf}).ok


# ---------------------------------------------------------------- library, graph, narrow screens


def test_library_search_and_flagship_first(page: Any) -> None:
    page.goto("/#/cases")
    rows = page.locator(".cases-table tbody tr")
    sync_api.expect(rows.first).to_have_attribute("data-case-id", FLAGSHIP)
    page.get_by_label("Search").fill("elmira")
    sync_api.expect(rows).to_have_count(1)
    sync_api.expect(rows.first).to_have_attribute("data-case-id", "bundled:elmira")
    page.get_by_label("Search").fill("")
    page.get_by_label("Kind").select_option("bargaining")
    ids = rows.evaluate_all("els => els.map(e => e.dataset.caseId)")
    assert "bundled:ec-emission-standards" in ids and "bundled:elmira" not in ids
    shot(page, "library-filtered")
    # the flagship is the first case link a keyboard user reaches
    page.get_by_label("Kind").select_option("all")
    page.locator("#library-list").locator("a.case-link").first.focus()
    assert page.evaluate("document.activeElement.textContent").startswith(
        api(page, "GET", f"/api/cases/{FLAGSHIP}")["title"]
    )


def test_graph_filters_and_the_panel_follows_the_row(page: Any) -> None:
    open_view(page, FLAGSHIP, "analysis")
    nodes = page.locator(".state-graph .node")
    sync_api.expect(nodes.first).to_be_attached()
    total = nodes.count()
    graph = api(page, "POST", "/api/graph", {"case": FLAGSHIP, "concept": "nash"})
    scenario = next(s for n in graph["nodes"] for s in n["scenarios"])
    page.get_by_label("Scenario", exact=True).select_option(scenario)
    want = sum(1 for n in graph["nodes"] if scenario in n["scenarios"])
    sync_api.expect(page.locator(".state-graph .node:not(.hidden)")).to_have_count(want)
    page.get_by_label("Option", exact=True).select_option(index=1)  # the first option, taken
    both = sum(1 for n in graph["nodes"] if scenario in n["scenarios"] and n["pattern"][0] == "Y")
    sync_api.expect(page.locator(".state-graph .node:not(.hidden)")).to_have_count(both)
    dm = graph["dms"][0]
    page.get_by_label("Moves by").select_option(dm)
    shot(page, "graph-filtered")
    page.get_by_label("Scenario", exact=True).select_option("")
    page.get_by_label("Option", exact=True).select_option("")
    sync_api.expect(page.locator(".state-graph .node:not(.hidden)")).to_have_count(total)
    # a row picked far down the table opens the details right under it
    rows = page.locator(".states-table tbody tr[data-state]")
    row = rows.nth(min(40, rows.count() - 1))
    n = row.get_attribute("data-state")
    row.locator("th button").click()
    details = page.locator(".details")
    sync_api.expect(details.locator("h2")).to_have_text(f"State {n}")
    r = row.bounding_box()
    d = details.bounding_box()
    assert r is not None and d is not None and 0 <= d["y"] - (r["y"] + r["height"]) < 40
    shot(page, "state-panel-at-row")


@pytest.mark.parametrize(
    "view", ["cases", "analysis", "edit", "hypergame", "forecast", "scenarios", "runs", "whatif"]
)
def test_usable_at_390_px(browser: Any, server: str, view: str) -> None:
    from test_browser import Watch

    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=server)
    pg = context.new_page()
    watch = Watch(server)
    pg.on("request", watch.on_request)
    pg.on("console", watch.on_console)
    pg.on("pageerror", watch.on_pageerror)
    try:
        where = {"cases": "/#/cases", "runs": "/#/runs"}.get(view, f"/#/case/{FLAGSHIP}/{view}")
        pg.goto(where)
        pg.wait_for_load_state("networkidle")
        sync_api.expect(pg.locator("main h1")).to_be_visible()
        pg.wait_for_timeout(400)
        _no_sideways_scroll(pg)
        shot(pg, f"narrow-{view}")
    finally:
        context.close()
    assert not watch.foreign, f"requests left the origin: {watch.foreign}"
    assert not watch.errors, f"the page logged errors: {watch.errors}"
