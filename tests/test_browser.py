"""The web workbench in a real browser (Playwright with Debian's Chromium).

The server runs in-process (uvicorn in a thread, a fresh SQLite run store);
the browser opens the flagship case, runs the analysis and compares what it
shows with the API's answer, opens a state from the graph (by mouse and by
keyboard), runs a small scenario set, edits a case and sees the validation
message at the line and the field at fault. Every test checks that no request
left the server's origin and that the page logged no error. A screenshot of
each main view goes to ``test-artifacts/screenshots/``; the analysis view's is
also copied to ``docs/screenshots/analysis.png`` for the README.

Skipped without Chromium (``/usr/bin/chromium`` or ``$BACKCHANNEL_CHROMIUM``),
except in CI (``BACKCHANNEL_CI=1``), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
DOC_SHOT = ROOT / "docs" / "screenshots" / "analysis.png"
FLAGSHIP = "bundled:ukraine-backchannel"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str | None:
    path = os.environ.get("BACKCHANNEL_CHROMIUM") or "/usr/bin/chromium"
    return path if Path(path).is_file() and os.access(path, os.X_OK) else None


CHROMIUM = _chromium()
if CHROMIUM is None:
    if os.environ.get("BACKCHANNEL_CI") == "1":
        pytest.fail("BACKCHANNEL_CI=1 but Chromium is missing (set BACKCHANNEL_CHROMIUM)", pytrace=False)
    pytest.skip(
        "Chromium is not installed (/usr/bin/chromium or $BACKCHANNEL_CHROMIUM)", allow_module_level=True
    )

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.timeout(120)


# ---------------------------------------------------------------- fixtures


def _serve(app: Any) -> Iterator[str]:
    """Run an ASGI app with uvicorn in a thread on a free loopback port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the workbench server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(15)
        sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The workbench with its own run store."""
    from backchannel.web.app import create_app

    db = tmp_path_factory.mktemp("store") / "runs.sqlite"
    yield from _serve(create_app(store_url=f"sqlite:///{db}"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """What a page did: requests outside the origin, console errors."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.foreign: list[str] = []
        self.errors: list[str] = []

    def on_request(self, request: Any) -> None:
        url = request.url
        if not (url == self.origin or url.startswith(self.origin + "/") or url.startswith("data:")):
            self.foreign.append(url)

    def on_console(self, msg: Any) -> None:
        if msg.type == "error":
            self.errors.append(msg.text)

    def on_pageerror(self, err: Any) -> None:
        self.errors.append(f"uncaught: {err}")


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, base_url=server, accept_downloads=False
    )
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    watch = Watch(server)
    pg.on("request", watch.on_request)
    pg.on("console", watch.on_console)
    pg.on("pageerror", watch.on_pageerror)
    pg.watch = watch  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        context.close()
    assert not watch.foreign, f"requests left the origin: {watch.foreign}"
    assert not watch.errors, f"the page logged errors: {watch.errors}"


def shot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def api(page: Any, method: str, url: str, data: dict[str, Any] | None = None) -> Any:
    """Call the API from the page's context (same cookies), with the CSRF token."""
    session = page.request.get("/api/session").json()
    headers = {"X-CSRF-Token": session["csrf"]}
    if method == "GET":
        resp = page.request.get(url, headers=headers)
    else:
        resp = page.request.fetch(url, method=method, headers=headers, data=data)
    assert resp.ok, f"{method} {url}: {resp.status} {resp.text()}"
    return resp.json()


def open_view(page: Any, case_id: str, view: str, query: str = "") -> None:
    page.goto(f"/#/case/{case_id.replace(':', '%3A')}/{view}{query}")


# ---------------------------------------------------------------- tests


def test_library_lists_the_cases(page: Any) -> None:
    page.goto("/")
    expected = api(page, "GET", "/api/cases")
    table = page.locator(".cases-table").last
    sync_api.expect(table.locator("tbody tr")).to_have_count(
        len([c for c in expected if c["source"] == "bundled"])
    )
    flagship = next(c for c in expected if c["id"] == FLAGSHIP)
    sync_api.expect(page.get_by_role("link", name=flagship["title"], exact=True)).to_be_visible()
    shot(page, "library")


def test_import_and_delete_a_user_case(page: Any, tmp_path: Path) -> None:
    from backchannel.case.casefile import bundled_cases

    src = tmp_path / "elmira-import.yaml"
    src.write_bytes(bundled_cases()["elmira"].read_bytes())
    page.goto("/#/cases")
    page.get_by_role("button", name="Import a file").click()
    dialog = page.locator("dialog[open]")
    dialog.locator("input[type=file]").set_input_files(str(src))
    sync_api.expect(dialog.get_by_label("Name")).to_have_value("elmira-import")
    dialog.get_by_role("button", name="Import").click()
    row = page.locator('tr[data-case-id="user:elmira-import"]')
    sync_api.expect(row).to_be_visible()
    row.get_by_role("button", name=re.compile("^Delete")).click()
    page.locator("dialog[open]").get_by_role("button", name="Delete").click()
    sync_api.expect(row).to_have_count(0)
    assert all(c["id"] != "user:elmira-import" for c in api(page, "GET", "/api/cases"))


def test_analysis_shows_the_equilibria_of_the_api(page: Any) -> None:
    open_view(page, FLAGSHIP, "analysis")
    expected = api(page, "POST", "/api/analyze", {"case": FLAGSHIP})
    card = page.locator(".equilibria-card")
    sync_api.expect(card).to_be_visible()
    for concept in expected["concepts"]:
        states = expected["equilibria"][concept]
        row = card.locator("tbody tr").filter(
            has=page.locator("th", has_text=re.compile(rf"^{concept}$", re.I))
        )
        sync_api.expect(row.locator("td.num")).to_have_text(str(len(states)))
        more = row.get_by_role("button", name=re.compile("show all"))
        if more.count():
            more.click()
        shown = [int(t) for t in row.locator(".chip").all_inner_texts()]
        assert shown == states, concept
    # The table marks the Nash equilibria.
    nash = expected["equilibria"]["nash"]
    rows = page.locator(".states-table tbody tr.row-eq")
    sync_api.expect(rows).to_have_count(len(nash))
    assert [int(x) for x in rows.locator("th button").all_inner_texts()] == nash
    # The graph draws the equilibria as double circles with a label.
    for n in nash:
        node = page.locator(f'.state-graph .node[data-state="{n}"]')
        sync_api.expect(node).to_have_class(re.compile(r"\beq\b"))
        sync_api.expect(node.locator(".node-ring")).to_have_count(1)
    # The picture: the view as it opens, with the Nash equilibrium selected.
    open_view(page, FLAGSHIP, "analysis", f"?concept=nash&state={nash[0]}")
    sync_api.expect(page.locator(".details h2")).to_have_text(f"State {nash[0]}")
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)  # let the graph fit itself
    path = shot(page, "analysis")
    DOC_SHOT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, DOC_SHOT)


def test_clicking_a_state_explains_it(page: Any) -> None:
    open_view(page, FLAGSHIP, "analysis")
    expected = api(page, "POST", "/api/analyze", {"case": FLAGSHIP})
    n = expected["equilibria"]["nash"][0]
    node = page.locator(f'.state-graph .node[data-state="{n}"]')
    node.click()
    details = page.locator(".details")
    sync_api.expect(details.locator("h2")).to_have_text(f"State {n}")
    explained = api(page, "GET", f"/api/cases/{FLAGSHIP}/states/{n}?concept=nash")
    cards = details.locator(".dm-card")
    sync_api.expect(cards).to_have_count(len(explained["decision_makers"]))
    for dm, card in zip(explained["decision_makers"], cards.all(), strict=True):
        sync_api.expect(card.locator("h3")).to_contain_text(dm["label"])
        sync_api.expect(card.locator(".verdict")).to_contain_text("stable (Nash)")
        sync_api.expect(card.locator(".reason")).to_have_text(dm["explanation"]["reason"])
    sync_api.expect(details.locator(".badge-eq")).to_contain_text("Equilibrium (Nash)")


def test_keyboard_tab_to_a_state_and_enter(page: Any) -> None:
    open_view(page, FLAGSHIP, "analysis")
    sq = api(page, "POST", "/api/analyze", {"case": FLAGSHIP})["status_quo"]
    fit = page.locator("[data-graph-fit]")
    sync_api.expect(fit).to_be_visible()
    fit.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('.node') && document.activeElement.dataset.state")
    assert focused == str(sq), "Tab after the graph's toolbar lands on the status quo"
    page.keyboard.press("Enter")
    sync_api.expect(page.locator(".details h2")).to_have_text(f"State {sq}")
    # Arrow keys move between states; Enter opens the one reached.
    page.keyboard.press("ArrowRight")
    moved = page.evaluate("document.activeElement.dataset.state")
    assert moved and moved != str(sq)
    page.keyboard.press(" ")
    sync_api.expect(page.locator(".details h2")).to_have_text(f"State {moved}")


def test_scenario_run_shows_probabilities(page: Any) -> None:
    open_view(page, FLAGSHIP, "scenarios")
    page.get_by_label("Samples").fill("200")
    page.get_by_label("Seed").fill("7")
    page.get_by_role("button", name="Start the run").click()
    table = page.locator('[data-testid="scenario-table"]')
    sync_api.expect(table).to_be_attached(timeout=45_000)
    runs = api(page, "GET", "/api/runs")
    run = api(page, "GET", f"/api/runs/{runs[0]['id']}")
    assert run["status"] == "done" and run["seed"] == 7
    result = run["result"]
    assert result["samples"] == 200
    rows = table.locator("tbody tr")
    sync_api.expect(rows).to_have_count(len(result["scenarios"]))
    for name, entry in result["scenarios"].items():
        row = table.locator(f'tr[data-scenario="{name}"]')
        sync_api.expect(row.locator("th")).to_have_text(entry["label"])
        shown = float((row.locator("td").first.text_content() or "").replace("%", "").strip())
        assert abs(shown - 100 * entry["p"]) <= 0.51
    sync_api.expect(page.locator(".scenario-result svg.chart").first).to_be_visible()
    if any(v.get("issues") for v in result.get("conditional_forecasts", {}).values()):
        sync_api.expect(page.locator('[data-testid="conditional-table"]')).to_be_attached()
    shot(page, "scenarios")
    page.goto("/#/runs")
    row = page.locator(f'.runs-table tr[data-run="{run["id"]}"]')
    sync_api.expect(row.locator("td.num").first).to_have_text("200")  # samples
    sync_api.expect(row).to_contain_text(api(page, "GET", f"/api/cases/{FLAGSHIP}")["title"])
    shot(page, "runs")


def test_a_scenario_run_can_be_cancelled(page: Any) -> None:
    open_view(page, FLAGSHIP, "scenarios")
    page.get_by_label("Samples").fill("20000")
    page.get_by_role("button", name="Start the run").click()
    cancel = page.get_by_role("button", name="Cancel")
    sync_api.expect(cancel).to_be_visible()
    cancel.click()
    sync_api.expect(page.locator(".progress-row [role=status]")).to_contain_text("cancelled", timeout=30_000)
    sync_api.expect(page.locator(".result-slot")).to_contain_text("was cancelled after")


def test_raw_yaml_edit_shows_the_message_at_the_line_and_field(page: Any) -> None:
    open_view(page, "bundled:elmira", "edit", "?mode=yaml")
    text = page.locator("textarea.raw-text")
    sync_api.expect(text).to_have_value(re.compile("name: modify"))
    sync_api.expect(page.locator("#val-state")).to_contain_text("no problems")
    original = text.input_value()
    line = original[: original.index("name: modify")].count("\n") + 1
    text.fill(original.replace("name: modify", "name: mod ify"))
    expected = api(page, "POST", "/api/validate", {"text": text.input_value(), "format": "yaml"})["errors"][0]
    assert expected["line"] == line
    marked = page.locator(".raw-gutter .line-bad")
    sync_api.expect(marked).to_have_count(1)
    sync_api.expect(marked).to_have_text(str(line))
    message = page.locator(f'.raw-messages li[data-line="{line}"]')
    sync_api.expect(message).to_contain_text(f"Line {line}")
    sync_api.expect(message).to_contain_text(expected["message"])
    sync_api.expect(page.locator("#val-state")).to_contain_text("1 problem")
    shot(page, "editor")
    # The form shows the same problem beside the option's name.
    page.get_by_text("Form", exact=True).click()
    field = page.locator('input[data-path="decision_makers.0.options.0.name"]')
    sync_api.expect(field).to_have_value("mod ify")
    sync_api.expect(field).to_have_attribute("aria-invalid", "true")
    note = page.locator(f"#{field.get_attribute('aria-describedby')}")
    sync_api.expect(note).to_contain_text(expected["message"])
    field.fill("modify")
    sync_api.expect(page.locator("#val-state")).to_contain_text("no problems")
    sync_api.expect(page.locator(".field-msg")).to_have_count(0)


def test_form_edit_saves_a_new_version(page: Any) -> None:
    from backchannel.case.casefile import bundled_cases

    page.goto("/")
    text = bundled_cases()["chicken"].read_text(encoding="utf-8")
    created = api(page, "POST", "/api/cases", {"name": "chicken-edit", "text": text, "format": "yaml"})
    open_view(page, created["id"], "edit")
    title = page.locator('input[data-path="title"]')
    sync_api.expect(title).to_be_visible()
    title.fill("Chicken, edited in the form")
    sync_api.expect(page.locator("#val-state")).to_contain_text("no problems")
    page.get_by_role("button", name="Save a new version").click()
    sync_api.expect(page.locator("#status")).to_contain_text(f"Saved version {created['version'] + 1}")
    saved = api(page, "GET", f"/api/cases/{created['id']}")
    assert saved["version"] == created["version"] + 1
    assert "Chicken, edited in the form" in saved["text"]
    assert api(page, "POST", "/api/validate", {"text": saved["text"], "format": saved["format"]})["ok"]


def test_hypergame_view_marks_hidden_options_and_surprises(page: Any) -> None:
    open_view(page, FLAGSHIP, "hypergame")
    expected = api(page, "POST", "/api/hypergame", {"case": FLAGSHIP})
    columns = page.locator(".perspective")
    sync_api.expect(columns).to_have_count(len(expected["unaware_of"]))
    for column, (dm, hidden) in zip(columns.all(), expected["unaware_of"].items(), strict=True):
        sync_api.expect(column.locator(".opt-hidden")).to_have_count(len(hidden))
        # each column lists the first 14 Nash outcomes (in the API's order), each with its badge
        listed = [x for x in expected["surprise"] if x["concept"] == "nash" and x["kinds"].get(dm)][:14]
        n = len([x for x in listed if x["kinds"][dm] == "strategic surprise"])
        sync_api.expect(column.locator(".kind-strategic")).to_have_count(n)
    # the timeline: one entry per phase, the surprises at each phase's end
    phases = page.locator(".phase-timeline > li")
    sync_api.expect(phases).to_have_count(len(expected["phases"]))
    for item, phase in zip(phases.all(), expected["dynamics"]["phases"], strict=True):
        sync_api.expect(item.locator("h3")).to_contain_text(phase["label"])
        sync_api.expect(item.locator(".kind")).to_have_count(len(phase["surprises"]))
    shot(page, "hypergame")


def test_forecast_view_has_a_chart_per_issue(page: Any) -> None:
    open_view(page, FLAGSHIP, "forecast")
    expected = api(page, "POST", "/api/forecast", {"case": FLAGSHIP, "rounds": 10})
    cards = page.locator(".issue-card")
    sync_api.expect(cards).to_have_count(len(expected["issues"]))
    first = next(iter(expected["issues"].values()))
    sync_api.expect(cards.first.locator("h2")).to_contain_text(first["label"])
    sync_api.expect(cards.first.locator("polyline.traj")).to_have_count(1)
    for k, entry in enumerate(expected["issues"].values()):
        if "bdm_range" in entry:  # an unconverged BDM forecast is shown as its range
            sync_api.expect(cards.nth(k).locator(".forecast-values")).to_contain_text("not converged")
    shot(page, "forecast")


def test_an_expired_session_goes_to_the_login_page(browser: Any, tmp_path: Path) -> None:
    from backchannel.web.app import create_app

    token = "a-long-enough-test-token-0123456789"
    for origin in _serve(create_app(store_url=f"sqlite:///{tmp_path / 'runs.sqlite'}", token=token)):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=origin)
        page = context.new_page()
        watch = Watch(origin)
        page.on("request", watch.on_request)
        page.on("pageerror", watch.on_pageerror)
        try:
            page.goto("/")
            page.wait_for_load_state("networkidle")
            page.get_by_label("Access token").fill(token)
            page.get_by_role("button", name="Log in").click()
            sync_api.expect(page.locator("main h1")).to_have_text("Cases")
            context.clear_cookies(name="bc_session")  # the session ends
            page.get_by_role("link", name="Runs").first.click()
            page.wait_for_url(re.compile(r"/login\?next="))
            # Logging in again returns to the view that was asked for.
            page.wait_for_load_state("networkidle")
            page.get_by_label("Access token").fill(token)
            page.get_by_role("button", name="Log in").click()
            sync_api.expect(page.locator("main h1")).to_have_text("Runs")
        finally:
            context.close()
        assert not watch.foreign, f"requests left the origin: {watch.foreign}"
        assert not watch.errors, f"the page raised errors: {watch.errors}"
