"""The workbench against hostile input and token guessing (issue 17; duplicate keys:
issue 16). The command line's side of the same inputs is in ``test_hostile_input.py``."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

from backchannel.errors import BackchannelError
from backchannel.store import open_store
from backchannel.web import create_app
from test_web_security import BEARER, GOOD, TOKEN

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


BARGAIN = """\
title: Bargain
issues:
  t: {reference: 50}
actors:
  - {name: a, capability: CAP, positions: {t: 10}, salience: {t: 0.5}}
  - {name: b, capability: 1, positions: {t: 90}, salience: {t: 0.9}}
"""

PRISONERS = (Path(__file__).parent / "data" / "prisoners.gmcr").read_text(encoding="utf-8")
HUGE = "9" * 4400


def _json_case(**extra: Any) -> str:
    import yaml

    data = yaml.safe_load(GOOD)
    data.update(extra)
    return json.dumps(data, indent=1)


HOSTILE = [
    # (id, text, format, substring of the message, line)
    ("surrogate-raw", GOOD.replace("title: Two parties", "title: \ud800"), "yaml", "lone surrogate", 1),
    ("surrogate-escape", GOOD.replace("title: Two parties", 'title: "\\ud800"'), "yaml", "lone surrogate", 1),
    ("duplicate-key", GOOD + "status_quo: YN\n", "yaml", "'status_quo' appears twice", 10),
    (
        "duplicate-key-nested",
        GOOD.replace("  - name: B\n", "  - name: B\n    name: C\n"),
        "yaml",
        "'name' appears twice",
        7,
    ),
    (
        "duplicate-key-json",
        _json_case().replace('"title": "Two parties",', '"title": "a",\n "title": "b",'),
        "json",
        "'title' appears twice",
        3,
    ),
    ("huge-int-json", _json_case().replace('"NN"', HUGE), "json", "4,400 digits", 29),
    (
        "huge-int-gmcr",
        PRISONERS.replace('"payoffs": [2, 1, 4, 3]', f'"payoffs": [{HUGE}, 1, 4, 3]'),
        "gmcr",
        "4,400 digits",
        1,
    ),
    ("nan-json", _json_case().replace('"NN"', "NaN"), "json", "NaN", 29),
    ("capability-1e308", BARGAIN.replace("CAP", "1.0e+308"), "yaml", "beyond ±1e+12", 5),
    (
        "uncertain-pair",
        GOOD.replace(
            "    preferences: [b_acts, not a_acts]\n",
            "    preferences:\n      prioritization: [b_acts, not a_acts]\n      uncertain: [[1, 7]]\n",
        ),
        "yaml",
        "state 7 does not exist",
        7,
    ),
]


@pytest.fixture
def client(tmp_path: Path) -> Any:
    with TestClient(create_app(store_url=f"sqlite:///{tmp_path}/s.db"), raise_server_exceptions=False) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        yield c


def _post(c: Any, path: str, body: dict[str, Any]) -> Any:
    # ensure_ascii: a lone surrogate travels as the escape \ud800, as a browser would send it
    return c.post(path, content=json.dumps(body), headers={"content-type": "application/json"})


@pytest.mark.parametrize(("what", "text", "fmt", "message", "line"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_case_text_is_a_located_4xx(
    client: Any, what: str, text: str, fmt: str, message: str, line: int | None
) -> None:
    name = {"yaml": "c.yaml", "json": "c.json", "gmcr": "c.gmcr"}[fmt]
    files = {"file": (name, text.encode("utf-8", "surrogatepass"))}
    r = client.post("/api/import", files=files)
    assert r.status_code == 422, r.text
    if fmt == "gmcr":  # GMCR+ files come only by import
        return
    r = _post(client, "/api/validate", {"text": text, "format": fmt})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["ok"] is False
    assert any(message in e["message"] for e in report["errors"]), report["errors"]
    if line is not None:
        assert report["errors"][0]["line"] == line, report["errors"]
    if what != "uncertain-pair":  # the stability analysis does not read uncertain pairs
        endpoint = "/api/forecast" if "Bargain" in text else "/api/analyze"
        r = _post(client, endpoint, {"text": text, "format": fmt})
        assert r.status_code == 422 and message in r.json()["error"], r.text
        assert r.json()["line"] == line
    r = _post(client, "/api/cases", {"name": f"c-{what}", "text": text, "format": fmt})
    assert r.status_code == 422 and message in r.text
    assert client.get("/api/cases").status_code == 200


def test_duplicate_key_is_located_by_path(client: Any) -> None:
    text = GOOD + "scenarios:\n  deal: a_acts\n  war: b_acts\n  deal: not a_acts\n"
    report = _post(client, "/api/validate", {"text": text}).json()
    (e,) = report["errors"]
    assert e["line"] == 13 and e["loc"] == ["scenarios", "deal"] and "lines 11 and 13" in e["message"]


def test_one_unreadable_user_case_does_not_break_the_list(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/s.db"
    with open_store(db) as store:
        # stored before the loader refused it: the escape reads as a lone surrogate
        store.save_user_case("bad", 'title: "\\ud800"\n' + GOOD.split("\n", 1)[1])
        store.save_user_case("good", GOOD)
        with pytest.raises(BackchannelError, match="lone surrogate"):
            store.save_user_case("worse", "title: \ud800\n")
    with TestClient(create_app(store_url=db), raise_server_exceptions=False) as c:
        r = c.get("/api/cases")
        assert r.status_code == 200, r.text
        rows = {row["id"]: row for row in r.json()}
        assert rows["user:bad"]["title"] is None and rows["user:good"]["title"] == "Two parties"
        assert c.get("/api/cases/user:bad").status_code < 500


def test_bearer_guessing_is_throttled(tmp_path: Path) -> None:
    with TestClient(create_app(store_url=f"sqlite:///{tmp_path}/s.db", token=TOKEN)) as c:
        codes = [
            c.get("/api/cases", headers={"Authorization": f"Bearer guess{i}"}).status_code for i in range(30)
        ]
        assert codes[:10] == [401] * 10 and set(codes[10:]) == {429}
        r = c.get("/api/cases", headers=BEARER)  # the right token does not help a throttled client
        assert r.status_code == 429 and r.headers["retry-after"] == "60"
        with TestClient(c.app, client=("10.9.8.7", 1234)) as other:
            assert other.get("/api/cases", headers=BEARER).status_code == 200


def _login(c: Any) -> tuple[str, str]:
    form = c.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert csrf is not None
    r = c.post("/login", data={"token": TOKEN, "csrf": csrf.group(1)}, follow_redirects=False)
    assert r.status_code == 303
    return c.cookies["bc_session"], csrf.group(1)


def test_session_dies_at_logout_even_for_a_copy_of_the_cookie(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/s.db"
    with TestClient(create_app(store_url=db, token=TOKEN)) as c:
        session, csrf = _login(c)
        assert c.get("/api/cases").status_code == 200
        assert c.post("/api/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        stolen = {"Cookie": f"bc_session={session}"}  # a copy of the cookie, kept
        c.cookies.clear()
        assert c.get("/api/cases", headers=stolen).status_code == 401
    # after a restart of the server (the revocation is in the run store)
    with TestClient(create_app(store_url=db, token=TOKEN)) as c:
        assert c.get("/api/cases", headers=stolen).status_code == 401
        fresh, _ = _login(c)
        assert fresh != session and c.get("/api/cases").status_code == 200


# -- a real server: proxy headers and a busy port --------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_on_a_busy_port_exits_2_with_a_message() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "backchannel.commands.cli", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert r.returncode == 2, r.stderr
    assert f"port {port}" in r.stderr and "another program" in r.stderr and "Traceback" not in r.stderr


def test_forwarded_for_is_not_believed_without_trusted_proxy(tmp_path: Path) -> None:
    import httpx

    port = _free_port()
    env = {"BACKCHANNEL_TOKEN": TOKEN, "PATH": "/usr/bin:/bin"}
    cmd = [
        sys.executable,
        "-m",
        "backchannel.commands.cli",
        "serve",
        "--port",
        str(port),
        "--db",
        str(tmp_path / "s.db"),
    ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):  # until it answers (401: it wants the token)
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        codes = [
            httpx.get(
                f"{base}/api/cases",
                headers={"Authorization": f"Bearer guess{i}", "X-Forwarded-For": f"10.0.0.{i}"},
                timeout=10,
            ).status_code
            for i in range(12)
        ]
        assert codes[:10] == [401] * 10 and codes[10:] == [429, 429], codes
    finally:
        proc.terminate()
        proc.wait(20)
        if proc.stderr:
            proc.stderr.close()
