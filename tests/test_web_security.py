"""The web workbench's defences: tokens, login, CSRF, limits, headers, paths."""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Route

from backchannel.web import Limits, create_app
from conftest import RunCli

with warnings.catch_warnings():  # starlette's test client warns that it prefers httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "s3cret-token-for-the-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}

GOOD = """\
title: Two parties
decision_makers:
  - name: A
    options: [{name: a_acts}]
    preferences: [b_acts, not a_acts]
  - name: B
    options: [{name: b_acts}]
    preferences: [a_acts, not b_acts]
status_quo: NN
"""


def big_case(n_dms: int, n_opts: int) -> str:
    """A conflict of ``n_dms`` decision makers with ``n_opts`` free options each."""
    lines = ["title: generated", "decision_makers:"]
    for d in range(n_dms):
        nxt = (d + 1) % n_dms
        lines += [f"  - name: D{d}", "    options:"]
        lines += [f"      - name: o{d}_{k}" for k in range(n_opts)]
        lines += ["    preferences:"]
        lines += [f"      - o{nxt}_{k}" for k in range(n_opts)]
        lines += [f"      - not o{d}_{k}" for k in range(n_opts)]
    return "\n".join(lines) + "\n"


def client_for(tmp_path: Path, **kw: Any) -> TestClient:
    return TestClient(create_app(store_url=f"sqlite:///{tmp_path}/s.db", **kw))


@pytest.fixture
def open_client(tmp_path: Path) -> Iterator[TestClient]:
    """No token (loopback): CSRF header set."""
    with client_for(tmp_path) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        yield c


def still_serving(c: TestClient, headers: dict[str, str] | None = None) -> None:
    r = c.get("/api/session", headers=headers)
    assert r.status_code == 200 and r.json()["csrf"]


# ---------------------------------------------------------------------------
# access token


PARAMS = {"case_id": "bundled:elmira", "state": "1", "job_id": "nojob", "run_id": "1", "rel": "x.js"}


def _flat_routes(routes: list[Any], prefix: str = "") -> Iterator[Any]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI's included routers
        if inner is not None:
            yield from _flat_routes(inner.routes, prefix + getattr(route.include_context, "prefix", ""))
        elif isinstance(route, Route | APIRoute):
            yield prefix, route


def _routes(app: Any) -> list[tuple[str, str]]:
    out = []
    for prefix, route in _flat_routes(app.routes):
        path = prefix + re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PARAMS[m.group(1)], route.path)
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                out.append((method, path))
    return out


def test_every_route_needs_the_token(tmp_path: Path) -> None:
    with client_for(tmp_path, token=TOKEN) as c:
        routes = _routes(c.app)
        assert len(routes) > 25
        wrong = 0
        for method, path in routes:
            r = c.request(method, path)
            if path in ("/login", "/login.css"):
                assert r.status_code in (200, 303, 403, 429), (method, path)
                continue
            assert r.status_code == 401, (method, path, r.status_code)
            r = c.request(method, path, headers={"Authorization": "Bearer wrong"})
            wrong += 1  # after 10 wrong tokens, the client is throttled
            assert r.status_code == (401 if wrong <= 10 else 429), (method, path)
    fresh = tmp_path / "fresh"  # a new server: this client is throttled on the first
    fresh.mkdir()
    with client_for(fresh, token=TOKEN) as c:
        for method, path in routes:
            if path == "/login":
                continue
            r = c.request(method, path, headers=BEARER)
            assert r.status_code not in (401, 403) or "bundled" in r.json()["error"], (method, path)
            assert r.status_code < 500, (method, path)
        for path in ("/", "/api/session", "/api/cases", "/api/openapi.json", "/api/docs", "/api/runs"):
            assert c.get(path, headers=BEARER).status_code == 200, path
        assert c.get("/api/session", headers=BEARER).json()["auth"] is True
        r = c.post("/api/analyze", json={"case": "bundled:elmira"}, headers=BEARER)  # no CSRF needed
        assert r.status_code == 200


def test_browser_login(tmp_path: Path) -> None:
    with client_for(tmp_path, token=TOKEN) as c:
        page = c.get("/", headers={"Accept": "text/html"})
        assert page.status_code == 401 and 'action="/login"' in page.text  # the login form, at once
        form = c.get("/login")
        assert form.status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None and csrf.group(1) == c.cookies["bc_csrf"]
        # a wrong token, a missing CSRF field
        assert c.post("/login", data={"token": "nope", "csrf": csrf.group(1)}).status_code == 401
        assert c.post("/login", data={"token": TOKEN}).status_code == 403
        assert c.post("/login", data={"token": TOKEN, "csrf": "x" * 43}).status_code == 403
        r = c.post("/login", data={"token": TOKEN, "csrf": csrf.group(1)}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith("bc_session=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "Secure" not in cookie  # plain http here
        assert TOKEN not in cookie
        # logged in: pages and reads work with the cookie alone
        assert c.get("/").status_code == 200
        assert c.get("/api/cases").status_code == 200
        # state changes need the CSRF header too
        r = c.post("/api/analyze", json={"case": "bundled:elmira"})
        assert r.status_code == 403 and "CSRF" in r.json()["error"]
        r = c.post("/api/analyze", json={"case": "bundled:elmira"}, headers={"X-CSRF-Token": "wrong" * 8})
        assert r.status_code == 403
        r = c.post("/api/analyze", json={"case": "bundled:elmira"}, headers={"X-CSRF-Token": csrf.group(1)})
        assert r.status_code == 200
        assert c.post("/api/logout", headers={"X-CSRF-Token": csrf.group(1)}).status_code == 204
        assert c.get("/api/cases").status_code == 401
        # back to where the user was; never to another site
        for nxt, where in (
            ("/%23editor", "/#editor"),
            ("//evil.example/", "/"),
            ("https://evil.example", "/"),
        ):
            page = c.get(f"/login?next={nxt}").text
            field = re.search(r'name="next" value="([^"]*)"', page)
            assert field is not None
            data = {"token": TOKEN, "csrf": c.cookies["bc_csrf"], "next": field.group(1)}
            r = c.post("/login", data=data, follow_redirects=False)
            assert r.headers["location"] == where
            data["next"] = nxt.replace("%23", "#")
            assert c.post("/login", data=data, follow_redirects=False).headers["location"] == where


def test_login_over_https_sets_secure_cookies(tmp_path: Path) -> None:
    app = create_app(store_url=f"sqlite:///{tmp_path}/s.db", token=TOKEN)
    with TestClient(app, base_url="https://testserver") as c:
        form = c.get("/login")
        assert "Secure" in form.headers["set-cookie"]
        csrf = c.cookies["bc_csrf"]
        r = c.post("/login", data={"token": TOKEN, "csrf": csrf}, follow_redirects=False)
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_login_throttled(tmp_path: Path) -> None:
    with client_for(tmp_path, token=TOKEN) as c:
        c.get("/login")
        csrf = c.cookies["bc_csrf"]
        codes = [c.post("/login", data={"token": f"guess{i}", "csrf": csrf}).status_code for i in range(12)]
        assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
        assert c.post("/login", data={"token": TOKEN, "csrf": csrf}).status_code == 429
        # the same client's bearer tokens are throttled too; other clients are served
        assert c.get("/api/session", headers=BEARER).status_code == 429
        with TestClient(c.app, client=("10.1.2.3", 40000)) as other:
            still_serving(other, BEARER)


def test_csrf_without_token(open_client: TestClient, tmp_path: Path) -> None:
    with client_for(tmp_path) as c:
        assert c.get("/api/session").status_code == 200
        r = c.post("/api/validate", json={"text": GOOD})
        assert r.status_code == 403 and "X-CSRF-Token" in r.json()["hint"]
        r = c.post("/api/validate", json={"text": GOOD}, headers={"X-CSRF-Token": "A" * 43})
        assert r.status_code == 403
        assert c.delete("/api/cases/user:x").status_code == 403
        assert c.put("/api/cases/user:x", json={"text": GOOD}).status_code == 403
    assert open_client.post("/api/validate", json={"text": GOOD}).json()["ok"] is True


def test_loopback_host_names_only_without_token(open_client: TestClient, tmp_path: Path) -> None:
    r = open_client.get("/api/session", headers={"Host": "attacker.example:8000"})
    assert r.status_code == 400 and "loopback" in r.json()["error"]
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000"):
        assert open_client.get("/api/session", headers={"Host": host}).status_code == 200
    with client_for(tmp_path, token=TOKEN) as c:  # with a token, any host name
        assert c.get("/api/session", headers={"Host": "workbench.example", **BEARER}).status_code == 200


def test_serve_refuses_public_bind_without_token(run_cli: RunCli, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    monkeypatch.delenv("BACKCHANNEL_TOKEN", raising=False)
    for host in ("0.0.0.0", "::", "192.0.2.10", "example.org"):
        code, _, err = run_cli(["serve", "--host", host])
        assert code == 2, host
        assert "without an access token" in err and "BACKCHANNEL_TOKEN" in err
    assert started == []
    code, _, err = run_cli(["serve", "--host", "127.0.0.1", "--port", "8123"])
    assert code == 0 and "http://127.0.0.1:8123/" in err
    monkeypatch.setenv("BACKCHANNEL_TOKEN", TOKEN)
    code, _, err = run_cli(["serve", "--host", "0.0.0.0", "--port", "8124"])
    assert code == 0 and "access token required" in err
    assert [(s["host"], s["port"]) for s in started] == [("127.0.0.1", 8123), ("0.0.0.0", 8124)]


# ---------------------------------------------------------------------------
# limits: refused clearly, and the server goes on


def test_oversized_body(tmp_path: Path) -> None:
    with client_for(tmp_path, limits=Limits(max_body=10_000)) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        big = GOOD + "#" * 20_000 + "\n"
        r = c.post("/api/validate", json={"text": big})
        assert r.status_code == 413 and "10,000 bytes" in r.json()["error"]
        r = c.post("/api/import", files={"file": ("big.yaml", big.encode())})
        assert r.status_code == 413
        # a body sent without a length is counted as it arrives
        r = c.post(
            "/api/validate",
            content=iter([b'{"text": "', b"#" * 20_000, b'"}']),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 413
        still_serving(c)
        assert c.post("/api/validate", json={"text": GOOD}).json()["ok"] is True


def test_malformed_input(open_client: TestClient) -> None:
    c = open_client
    r = c.post("/api/analyze", content=b'{"case": ', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "malformed JSON" in r.json()["error"]
    r = c.post("/api/analyze", json={"text": "decision_makers: [\n  - {name: A"})
    assert r.status_code == 422 and "not valid YAML" in r.json()["error"] and r.json()["line"]
    r = c.post("/api/analyze", json={"text": '{"title": ', "format": "json"})
    assert r.status_code == 422 and "JSON" in r.json()["error"]
    r = c.post("/api/analyze", json={"text": "- just\n- a list\n"})
    assert r.status_code == 422 and "mapping" in r.json()["error"]
    r = c.post("/api/analyze", json={"case": 12})
    assert r.status_code == 422 and r.json()["error"]
    r = c.post("/api/analyze", json={"text": GOOD, "format": "toml"})
    assert r.status_code == 422
    r = c.post("/api/import", files={"file": ("x.gmcr", b'{"decisionMakers": 3}')})
    assert r.status_code == 422 and r.json()["error"]
    r = c.post("/api/import", files={"file": ("x.csv", b"not,a\nktab,file\n")})
    assert 400 <= r.status_code < 500 and r.json()["error"]
    r = c.post("/api/explain", json={"case": "bundled:elmira", "state": "YYYYYYYYY"})
    assert r.status_code == 422
    # many anchors and aliases: refused before anything expands them
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
    )
    t0 = time.perf_counter()
    r = c.post("/api/validate", json={"text": bomb})
    assert time.perf_counter() - t0 < 2
    assert r.status_code == 200 and "aliases" in r.json()["errors"][0]["message"]
    r = c.post("/api/analyze", json={"text": bomb})
    assert r.status_code == 422 and "aliases" in r.json()["error"]
    still_serving(c)


def test_state_space_too_large(open_client: TestClient) -> None:
    r = open_client.post("/api/analyze", json={"text": big_case(3, 6)})  # 2**18 states
    assert r.status_code == 422
    assert "262,144" in r.json()["error"] and "100,000" in r.json()["error"]
    assert "command line" in r.json()["hint"]
    report = open_client.post("/api/validate", json={"text": big_case(3, 6)}).json()
    assert report["ok"] is True and "100,000" in report["warnings"][0]["message"]
    still_serving(open_client)


def test_analysis_timeout(tmp_path: Path) -> None:
    with client_for(tmp_path, limits=Limits(analysis_timeout=0.005)) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        r = c.post("/api/analyze", json={"text": big_case(3, 4)})  # 4,096 states: well over 5 ms
        assert r.status_code == 504 and "time limit" in r.json()["error"]
        still_serving(c)


def test_too_many_jobs(tmp_path: Path) -> None:
    with client_for(tmp_path, limits=Limits(max_jobs=1)) as c:
        c.headers["X-CSRF-Token"] = c.get("/api/session").json()["csrf"]
        body = {"case": "bundled:ukraine-backchannel", "samples": 20_000}
        first = c.post("/api/jobs", json=body)
        assert first.status_code == 202
        r = c.post("/api/jobs", json=body)
        assert r.status_code == 429 and "Retry-After" in r.headers and r.json()["hint"]
        r = c.post(f"/api/runs/{first.json()['run']}/rerun")
        assert r.status_code == 429
        still_serving(c)
        assert c.delete(f"/api/jobs/{first.json()['job']}").status_code == 202
        end = time.monotonic() + 30
        while c.get(f"/api/jobs/{first.json()['job']}").json()["status"] == "running":
            assert time.monotonic() < end
            time.sleep(0.02)
        assert c.post("/api/jobs", json={**body, "samples": 10}).status_code == 202


# ---------------------------------------------------------------------------
# headers and paths


def _csp(value: str) -> dict[str, list[str]]:
    out = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_security_headers(open_client: TestClient) -> None:
    c = open_client
    for r in (
        c.get("/"),
        c.get("/api/session"),
        c.get("/api/cases/bundled:nope"),
        c.get("/no/such/page"),
        c.post("/api/analyze", json={"case": "bundled:elmira"}),
        c.get("/api/cases/bundled:elmira/report"),
        c.get("/api/docs"),
    ):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        csp = _csp(r.headers["content-security-policy"])
        for directive, sources in csp.items():
            for s in sources:  # no third-party origin, no scheme wildcard, no eval
                assert s in ("'self'", "'none'", "data:", "'unsafe-inline'"), (directive, s)
            if directive == "script-src":
                assert sources == ["'self'"]
        assert csp["frame-ancestors"] in (["'none'"], ["'self'"])
    main = _csp(c.get("/").headers["content-security-policy"])
    assert main["default-src"] == ["'self'"] and main["style-src"] == ["'self'"]
    assert main["connect-src"] == ["'self'"] and main["form-action"] == ["'self'"]
    assert "server" not in c.get("/api/session").headers or "uvicorn" not in c.get("/").headers["server"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/cases/../etc/passwd",
        "/api/cases/..%2Fetc%2Fpasswd",
        "/api/cases/bundled:../../x",
        "/api/cases/bundled:..%2F..%2Fx",
        "/api/cases/user:..%2F..%2Fx",
        "/api/cases/user:../x/export",
        "/api/cases//etc/passwd",
        "/api/cases/file:%2Fetc%2Fpasswd",
        "/static/../web/api.py",
        "/static/..%2Fapi.py",
        "/static/%2E%2E/%2E%2E/casefile.py",
        "/static/.hidden",
    ],
)
def test_no_path_traversal(open_client: TestClient, path: str) -> None:
    r = open_client.get(path)
    assert r.status_code in (404, 422), r.status_code
    assert "root:" not in r.text and "import" not in r.text


def test_case_ids_only(open_client: TestClient) -> None:
    c = open_client
    for ref in (
        "/etc/passwd",
        "../../etc/passwd",
        "bundled:../../x",
        "user:../x",
        "src/backchannel/cases/elmira.yaml",
    ):
        r = c.post("/api/analyze", json={"case": ref})
        assert r.status_code in (404, 422), ref
        assert r.json()["error"]
    r = c.post("/api/cases", json={"name": "../../evil", "text": GOOD})
    assert r.status_code == 422
    r = c.post("/api/cases/bundled:elmira/duplicate", json={"name": "a/b"})
    assert r.status_code == 422
    still_serving(c)
