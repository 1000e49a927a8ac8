"""Access control and hardening for the workbench, as one ASGI middleware.

* Security headers on every response: a Content-Security-Policy that allows
  only the server itself (no CDN, no inline script), ``nosniff``,
  ``no-referrer``, no framing.
* With an access token, every route but the login form needs it: API clients
  send ``Authorization: Bearer <token>``; browsers log in at ``/login`` and get
  a session cookie (HttpOnly, SameSite=Strict, Secure over https) naming a
  random session id, signed with the token, valid 12 hours or until logout
  (:mod:`backchannel.web.sessions`). Tokens are compared in constant time.
* Failed tokens are throttled per client address, from the login form and the
  bearer header alike: after 10 failures in a minute, 429 for a minute. The
  client address is the connection's: proxy headers (``X-Forwarded-For``) are
  believed only from the proxies given to ``backchannel serve --trusted-proxy``.
* CSRF: a ``bc_csrf`` cookie (readable by scripts) is set on every response
  that lacks one; a POST, PUT, PATCH or DELETE must send its value in the
  ``X-CSRF-Token`` header (double submit), unless authenticated by the bearer
  header. The login form carries it in a hidden field.
* Without a token the server answers only to loopback host names, so that a
  web page cannot reach it through DNS rebinding.
* Request bodies are limited (413).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import Headers

from .sessions import Revocations

__all__ = [
    "CSP",
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "SecurityMiddleware",
    "clear_session_cookie",
    "install_login",
    "is_loopback_host",
]

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
CSRF_COOKIE = "bc_csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_COOKIE = "bc_session"
SESSION_SECONDS = 12 * 3600
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Reachable without authentication.
OPEN_PATHS = frozenset({"/login", "/login.css"})
#: Host names a token-less server answers to ("testserver": the in-process test client).
LOOPBACK_NAMES = frozenset({"localhost", "testserver"})

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets (False if either is missing)."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (a name or an address, without port) is this machine only."""
    h = host.strip().strip("[]").lower()
    if h in ("localhost",) or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def _hostname(header: str) -> str:
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def _session_key(token: str) -> bytes:
    return hashlib.sha256(b"backchannel-session\0" + token.encode("utf-8")).digest()


def make_session(token: str, now: float | None = None) -> str:
    """A session cookie's value: ``expires.session_id.signature``."""
    expires = int((now or time.time()) + SESSION_SECONDS)
    body = f"{expires}.{secrets.token_urlsafe(24)}"
    sig = hmac.new(_session_key(token), body.encode(), hashlib.sha256).hexdigest()
    return f"{body}.{sig}"


def session_of(token: str, value: str | None) -> tuple[str, int] | None:
    """(session id, expiry) of a valid, unexpired session cookie; None otherwise
    (revocation is checked by the caller)."""
    if not value or value.count(".") != 2 or len(value) > 200:
        return None
    expires, sid, sig = value.split(".")
    if not expires.isdigit() or int(expires) < time.time():
        return None
    good = hmac.new(_session_key(token), f"{expires}.{sid}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(good.encode(), sig.encode()):
        return None
    return sid, int(expires)


def check_session(token: str, value: str | None) -> bool:
    return session_of(token, value) is not None


def _cookie(name: str, value: str, *, https: bool, http_only: bool, max_age: int | None = None) -> str:
    parts = [f"{name}={value}", "Path=/", "SameSite=Strict"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if http_only:
        parts.append("HttpOnly")
    if https:
        parts.append("Secure")
    return "; ".join(parts)


def _is_https(scope: Scope) -> bool:
    return scope.get("scheme") in ("https", "wss")


def clear_session_cookie(response: Response, request: Request) -> None:
    response.headers.append(
        "set-cookie",
        _cookie(SESSION_COOKIE, "", https=request.url.scheme == "https", http_only=True, max_age=0),
    )


def _valid_csrf(value: str | None) -> bool:
    return (
        bool(value) and 20 <= len(value or "") <= 100 and all(c.isalnum() or c in "-_" for c in value or "")
    )


class SecurityMiddleware:
    """Headers, host check, authentication, CSRF and body size, before any route runs."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        max_body: int,
        throttle: _Throttle | None = None,
        revocations: Revocations | None = None,
    ) -> None:
        self.app = app
        self.token = token
        self.max_body = max_body
        self.throttle = throttle or _Throttle()
        self.revocations = revocations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request = Request(scope)
        https = _is_https(scope)
        cookie_csrf = request.cookies.get(CSRF_COOKIE)
        path = scope["path"]
        # A new CSRF cookie comes only with pages and GET /api/session: were it
        # set on every response, parallel requests (assets, API calls) could
        # each set a different one, and the last to arrive would no longer
        # match the token in a form the user is about to send.
        issues_cookie = path == "/api/session" or not (
            path.startswith(("/api/", "/static/")) or path in ("/favicon.ico", "/favicon.svg", "/login.css")
        )
        new_csrf = None if _valid_csrf(cookie_csrf) or not issues_cookie else secrets.token_urlsafe(32)
        csrf = new_csrf or cookie_csrf or ""
        scope.setdefault("state", {})
        scope["state"]["csrf"] = csrf
        api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                have = {k.lower() for k, _ in raw}
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"cross-origin-resource-policy", b"same-origin"),
                ]
                if api:
                    extra.append((b"cache-control", b"no-store"))
                raw += [(k, v) for k, v in extra if k not in have]
                if new_csrf:
                    raw.append(
                        (b"set-cookie", _cookie(CSRF_COOKIE, new_csrf, https=https, http_only=False).encode())
                    )
                message["headers"] = raw
            await send(message)

        async def refuse(status: int, error: str, hint: str, extra: dict[str, str] | None = None) -> None:
            from fastapi.responses import JSONResponse

            from .problems import error_body

            resp = JSONResponse(error_body(error, hint=hint), status_code=status, headers=extra)
            await resp(scope, receive, send_with_headers)

        if self.token is None:
            host = _hostname(headers.get("host", ""))
            if not (is_loopback_host(host) or host.lower() in LOOPBACK_NAMES):
                await refuse(
                    400,
                    f"this server answers only to loopback host names, not {host!r}",
                    "Open it as http://127.0.0.1:PORT/ or http://localhost:PORT/, or start it with a token.",
                )
                return

        method = scope["method"]
        who = client_of(scope)
        from .work import CLIENT

        CLIENT.set(who)  # the fair queue serves clients in turn
        if self.token is not None and _bearer(headers) is not None and self.throttle.blocked(who):
            await refuse(
                429,
                "too many wrong access tokens from this address: wait a minute",
                "Check the token (BACKCHANNEL_TOKEN of the server).",
                {"Retry-After": str(int(self.throttle.window))},
            )
            return
        how = self._authenticated(headers, request)
        if how == "cookie" and self.revocations is not None:
            from starlette.concurrency import run_in_threadpool

            found = session_of(self.token or "", request.cookies.get(SESSION_COOKIE))
            if found is None or await run_in_threadpool(self.revocations.revoked, found[0]):
                how = None
        if self.token is not None and how is None and _bearer(headers) is not None:
            self.throttle.fail(who)
        if self.token is not None and how is None and scope["path"] not in OPEN_PATHS:
            wants_html = method in ("GET", "HEAD") and not api and "text/html" in headers.get("accept", "")
            if wants_html:
                from .pages import login_page

                page = login_page(csrf or "", None, safe_next(scope["path"]))
                resp = HTMLResponse(page, status_code=401)
                await resp(scope, receive, send_with_headers)
                return
            await refuse(
                401,
                "authentication required",
                "Send 'Authorization: Bearer <token>', or log in at /login.",
                {"WWW-Authenticate": 'Bearer realm="backchannel"'},
            )
            return

        if method in UNSAFE:
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                await refuse(
                    413,
                    f"the request body is larger than {self.max_body:,} bytes",
                    "Send a smaller case or file.",
                )
                return
            if (
                how != "bearer"
                and scope["path"] != "/login"
                and not same(headers.get(CSRF_HEADER), cookie_csrf)
            ):
                await refuse(
                    403,
                    "missing or wrong CSRF token",
                    "GET /api/session sets the bc_csrf cookie and returns its value; send it back in the "
                    "X-CSRF-Token header.",
                )
                return
            body = bytearray()
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > self.max_body:
                    await refuse(
                        413,
                        f"the request body is larger than {self.max_body:,} bytes",
                        "Send a smaller case or file.",
                    )
                    return
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if not sent:
                    sent = True
                    return {"type": "http.request", "body": bytes(body), "more_body": False}
                return await receive()

            await self.app(scope, replay, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _authenticated(self, headers: Headers, request: Request) -> str | None:
        """``bearer``, ``cookie`` or None."""
        if self.token is None:
            return None
        given = _bearer(headers)
        if given is not None and same(given, self.token):
            return "bearer"
        if check_session(self.token, request.cookies.get(SESSION_COOKIE)):
            return "cookie"
        return None


def _bearer(headers: Headers) -> str | None:
    """The token of an ``Authorization: Bearer`` header, if there is one."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def client_of(scope: Scope) -> str:
    """The client's address: the connection's (the server decides whether a proxy's
    ``X-Forwarded-For`` may replace it: ``--trusted-proxy``)."""
    client = scope.get("client")
    return str(client[0]) if client else "?"


class _Throttle:
    """At most ``limit`` failed tokens (login form or bearer header) per client
    address in ``window`` seconds."""

    def __init__(self, limit: int = 10, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._fails: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, who: str) -> bool:
        now = time.monotonic()
        with self._lock:
            q = self._fails.get(who)
            while q and q[0] < now - self.window:
                q.popleft()
            return q is not None and len(q) >= self.limit

    def fail(self, who: str) -> None:
        with self._lock:
            if len(self._fails) > 10_000:
                self._fails.clear()
            self._fails.setdefault(who, deque()).append(time.monotonic())


def safe_next(value: str | None) -> str:
    """Where to go after logging in: a path on this server only (no open redirect)."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 32 for c in value)
        or value.startswith("/login")
    ):
        return "/"
    return value


def install_login(app: FastAPI, token: str | None, throttle: _Throttle | None = None) -> None:
    """``GET /login`` (the form) and ``POST /login`` (token and CSRF field → session cookie)."""
    from .pages import login_page

    throttle = throttle or _Throttle()

    @app.get("/login", include_in_schema=False)
    async def login_form(request: Request) -> Response:
        nxt = safe_next(request.query_params.get("next"))
        if token is None:
            return RedirectResponse(nxt, status_code=303)
        return HTMLResponse(login_page(request.state.csrf, None, nxt))

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        if token is None:
            return RedirectResponse("/", status_code=303)
        who = client_of(request.scope)
        if throttle.blocked(who):
            return HTMLResponse(
                login_page(request.state.csrf, "Too many failed attempts: wait a minute."), status_code=429
            )
        try:
            form = await request.form()
        except Exception:
            return HTMLResponse(
                login_page(request.state.csrf, "The form could not be read."), status_code=400
            )
        field = form.get("csrf")
        given = form.get("token")
        raw_next = form.get("next")
        nxt = safe_next(raw_next if isinstance(raw_next, str) else None)
        if not isinstance(field, str) or not same(field, request.cookies.get(CSRF_COOKIE)):
            return HTMLResponse(
                login_page(request.state.csrf, "The form has expired: please try again.", nxt),
                status_code=403,
            )
        if not isinstance(given, str) or not same(given.strip(), token):
            throttle.fail(who)
            return HTMLResponse(login_page(request.state.csrf, "Wrong access token.", nxt), status_code=401)
        resp = RedirectResponse(nxt, status_code=303)
        resp.headers.append(
            "set-cookie",
            _cookie(
                SESSION_COOKIE,
                make_session(token),
                https=request.url.scheme == "https",
                http_only=True,
                max_age=SESSION_SECONDS,
            ),
        )
        return resp
