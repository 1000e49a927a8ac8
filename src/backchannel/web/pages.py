"""Pages: the front end (static files), a placeholder until it exists, the
login form and a self-contained API documentation page. No CDN, no inline
script or style (the Content-Security-Policy allows neither)."""

from __future__ import annotations

import mimetypes
from html import escape
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from .._version import __version__
from .problems import ApiError

__all__ = ["STATIC_DIR", "install_pages", "login_page"]

STATIC_DIR = Path(__file__).parent / "static"

CSS = """
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
main { max-width: 52rem; margin: 3rem auto; padding: 2rem; background: #fff; border: 1px solid #d0d7de;
       border-radius: 8px; }
h1 { font-size: 1.5rem; margin-top: 0; }
label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
input[type=password] { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
button { margin-top: 1rem; padding: .5rem 1.25rem; font-size: 1rem; }
.error { color: #b42318; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
td, th { text-align: left; border-bottom: 1px solid #d0d7de; padding: .3rem .5rem; vertical-align: top; }
code { font-size: .9em; }
.method { font-weight: 700; font-family: monospace; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="stylesheet" href="/login.css">\n</head>\n'
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def login_page(csrf: str, error: str | None, next_path: str = "/") -> str:
    """The login form; ``csrf`` goes in a hidden field (it must match the bc_csrf cookie);
    ``next_path``: where to go once logged in."""
    err = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _page(
        "Backchannel — log in",
        "<h1>Backchannel workbench</h1>\n"
        "<p>This server requires an access token.</p>\n"
        f"{err}\n"
        '<form method="post" action="/login">\n'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">\n'
        f'<input type="hidden" name="next" value="{escape(next_path)}">\n'
        '<label for="token">Access token</label>\n'
        '<input type="password" id="token" name="token" autocomplete="current-password" required autofocus>\n'
        '<button type="submit">Log in</button>\n</form>',
    )


def placeholder_page() -> str:
    return _page(
        "Backchannel workbench",
        "<h1>Backchannel workbench</h1>\n"
        f"<p>Backchannel {escape(__version__)}. The workbench's pages are not installed; the API is "
        'running: see <a href="/api/docs">the API documentation</a>.</p>',
    )


def docs_page(schema: dict[str, Any]) -> str:
    """Every endpoint of the OpenAPI schema, with its summary, parameters and body."""
    rows = []
    for path, ops in sorted(schema.get("paths", {}).items()):
        for method, op in ops.items():
            params = ", ".join(
                f"{escape(p['name'])} ({escape(p.get('in', ''))})" for p in op.get("parameters", [])
            )
            body = ""
            content = op.get("requestBody", {}).get("content", {})
            for media, spec in content.items():
                ref = spec.get("schema", {}).get("$ref", "")
                body = f"{escape(media)}" + (f": {escape(ref.rsplit('/', 1)[-1])}" if ref else "")
            codes = ", ".join(escape(str(c)) for c in op.get("responses", {}))
            doc = escape(op.get("description", "") or "")
            rows.append(
                f'<tr><td class="method">{escape(method.upper())}</td><td><code>{escape(path)}</code></td>'
                f"<td>{escape(op.get('summary', ''))}<br><small>{doc}</small></td>"
                f"<td>{params}</td><td>{body}</td><td>{codes}</td></tr>"
            )
    return _page(
        "Backchannel API",
        f"<h1>Backchannel API {escape(__version__)}</h1>\n"
        '<p>The machine-readable schema: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI). '
        "Errors are JSON: <code>{error, loc, line, hint}</code>. POST, PUT and DELETE need the "
        "<code>X-CSRF-Token</code> header (its value from <code>GET /api/session</code>) unless "
        "authenticated with <code>Authorization: Bearer</code>.</p>\n"
        "<table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Parameters</th><th>Body</th>"
        "<th>Responses</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>",
    )


def _static_file(root: Path, rel: str) -> Path:
    """The file ``rel`` under ``root``; 404 for anything outside it, hidden or missing."""
    if not rel or any(part.startswith(".") or part == "" for part in rel.split("/")) or "\\" in rel:
        raise ApiError(404, "no such file")
    base = root.resolve()
    target = (base / rel).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        raise ApiError(404, "no such file")
    return target


def install_pages(app: FastAPI, static_dir: Path | None) -> None:
    root = Path(static_dir) if static_dir is not None else STATIC_DIR

    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    async def index() -> Response:
        page = root / "index.html"
        if page.is_file():
            return FileResponse(page, media_type="text/html", headers={"Cache-Control": "no-cache"})
        return HTMLResponse(placeholder_page())

    @app.get("/static/{rel:path}", include_in_schema=False)
    async def static(rel: str) -> Response:
        path = _static_file(root, rel)
        media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            media = "text/javascript"
        return FileResponse(path, media_type=media, headers={"Cache-Control": "no-cache"})

    @app.get("/login.css", include_in_schema=False)
    async def login_css() -> Response:
        return Response(CSS, media_type="text/css")

    @app.get("/api/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(docs_page(request.app.openapi()))
