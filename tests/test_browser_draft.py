"""The drafting view in a real browser: paste reports, see the draft beside the text
with the quotes marked in place, reject elements, open the drafted case in the editor.

Uses the fixtures of ``test_browser.py`` (the server, Debian's Chromium, and a page
that fails on requests leaving the origin and on errors in the console).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from test_browser import browser, page, server, shot, sync_api  # noqa: F401  (fixtures)

SOURCES = resources.files("backchannel") / "cases" / "sources"
NEWS = Path(__file__).parent / "data" / "news"


def test_draft_view_marks_quotes_and_opens_the_case(page: Any) -> None:  # noqa: F811
    expect = sync_api.expect
    page.goto("/#/draft")
    expect(page.get_by_role("heading", name="Draft a case from reports")).to_be_visible()
    page.get_by_label("Text of report 1 (plain text or HTML)").fill(
        (SOURCES / "report_a.txt").read_text("utf-8")
    )
    page.get_by_role("button", name="Add a report").click()
    page.get_by_label("Text of report 2 (plain text or HTML)").fill(
        (SOURCES / "report_b.txt").read_text("utf-8")
    )
    page.get_by_role("button", name="Draft", exact=True).click()
    measures = page.locator('ul[data-kind="measures"] > li')
    expect(measures.first).to_be_visible(timeout=60_000)
    # every measure's words are marked in the text, exactly as the API gives them
    first = measures.first
    ref = first.get_attribute("data-ref")
    first.get_by_role("button", name="Show measure 1 in the text").click()
    marks = page.locator(f'mark[data-refs~="{ref}"]')
    expect(marks.first).to_have_class("hl hl-measure hl-active")
    assert "".join(marks.all_inner_texts()) == "A phased reduction of certain offensive operations"
    futures = page.locator('ul[data-kind="futures"] > li')
    expect(futures.filter(has_text="renewed escalation")).to_have_count(1)
    contra = page.locator('ul[data-kind="contradictions"] > li')
    expect(contra.filter(has_text="election year")).to_have_count(1)
    shot(page, "draft")
    # reject the first measure and NATO; the drafted case leaves them out
    first.get_by_role("checkbox").uncheck()
    expect(first).to_have_class("rejected")
    page.locator('ul[data-kind="parties"] > li', has_text="NATO").get_by_role("checkbox").uncheck()
    page.get_by_label("Name of the new case").fill("drafted-in-browser")
    page.get_by_role("button", name="Open in the editor").click()
    page.wait_for_url("**/#/case/user%3Adrafted-in-browser/edit", timeout=60_000)
    # the editor checks the drafted case, quotes included (its sources carry their text)
    expect(page.locator("#val-state")).to_contain_text("no problems", timeout=30_000)
    expect(page.locator('select[data-path="sources.0.reliability"]')).to_have_value("F")
    case = yaml.safe_load(page.request.get("/api/cases/user:drafted-in-browser").json()["text"])
    assert "NATO" not in [dm["label"] for dm in case["decision_makers"]]
    labels = [o["label"] for dm in case["decision_makers"] for o in dm["options"]]
    assert "Limited humanitarian corridors" in labels
    assert "A phased reduction of certain offensive operations" not in labels


def test_draft_view_loads_report_files(page: Any) -> None:  # noqa: F811
    expect = sync_api.expect
    page.goto("/#/draft")
    page.locator('.draft-actions input[type="file"]').set_input_files(
        [str(NEWS / "sudan_jeddah_a.txt"), str(NEWS / "sudan_jeddah_b.txt")]
    )
    expect(page.get_by_label("Report 2", exact=True)).to_have_value("sudan_jeddah_b.txt")
    page.get_by_role("button", name="Draft", exact=True).click()
    # the HTML report is shown as text, its title from <title>; the contradictions are listed
    expect(
        page.get_by_role("heading", name="Hopes and doubts as Sudan truce talks enter second week")
    ).to_be_visible(timeout=60_000)
    contra = page.locator('ul[data-kind="contradictions"] > li')
    expect(contra.filter(has_text="Riyadh")).to_have_count(1)
    contra.filter(has_text="Riyadh").get_by_role("button").click()
    expect(page.locator("mark.hl-active").first).to_be_visible()
