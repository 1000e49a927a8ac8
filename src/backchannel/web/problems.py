"""Errors of the web API: one JSON shape, a 4xx status, never a traceback.

Every error body is ``{"error": message, "loc": [...], "line": n|null,
"hint": str|null}``; validation failures add ``"errors"``, a list of the same
located entries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import AnalysisRefused, BackchannelError, CaseError, ModelError

__all__ = ["ApiError", "error_body", "install_handlers", "located_entry"]

log = logging.getLogger("backchannel.web")


class ApiError(Exception):
    """An error to report to the client with ``status`` (4xx/5xx)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        loc: Sequence[str | int] = (),
        line: int | None = None,
        hint: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.loc = list(loc)
        self.line = line
        self.hint = hint or None
        self.errors = errors
        self.headers = headers

    def body(self) -> dict[str, Any]:
        out = error_body(self.message, loc=self.loc, line=self.line, hint=self.hint)
        if self.errors is not None:
            out["errors"] = self.errors
        return out

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def error_body(
    message: str, *, loc: Sequence[str | int] = (), line: int | None = None, hint: str | None = None
) -> dict[str, Any]:
    return {"error": message, "loc": list(loc), "line": line, "hint": hint or None}


def dotted(loc: Sequence[str | int]) -> str:
    """``("decision_makers", 0, "name")`` → ``decision_makers.0.name``."""
    return ".".join(str(p) for p in loc)


def located_entry(
    message: str, loc: Sequence[str | int] = (), line: int | None = None, hint: str | None = None
) -> dict[str, Any]:
    """One entry of an ``errors`` or ``warnings`` list."""
    return {"message": message, "loc": list(loc), "path": dotted(loc), "line": line, "hint": hint or None}


def from_backchannel(e: BackchannelError) -> ApiError:
    """The library's errors as 422s (bad input or a refused analysis)."""
    if isinstance(e, CaseError):
        return ApiError(422, e.message, loc=e.loc, line=e.line, hint=e.hint)
    if isinstance(e, ModelError):
        return ApiError(422, e.message, loc=e.loc, hint=e.hint)
    if isinstance(e, AnalysisRefused):
        return ApiError(422, f"analysis refused: {e}")
    return ApiError(422, str(e))


def _validation_message(
    exc: RequestValidationError,
) -> tuple[int, str, list[str | int], list[dict[str, Any]]]:
    errs = list(exc.errors())
    entries = []
    status = 422
    for err in errs:
        loc = [p for p in err.get("loc", ()) if isinstance(p, str | int)]
        if loc and loc[0] == "body":
            loc = loc[1:]
        kind = err.get("type", "")
        if kind == "json_invalid":
            status = 400
            loc = []
            ctx = err.get("ctx") or {}
            msg = f"malformed JSON: {ctx.get('error', err.get('msg', ''))}"
        elif kind == "missing":
            msg = f"the field '{dotted(loc) or 'body'}' is missing"
        else:
            msg = str(err.get("msg", "invalid value"))
            if loc:
                msg = f"{dotted(loc)}: {msg}"
        entries.append(located_entry(msg, loc))
    first = entries[0] if entries else located_entry("invalid request")
    message = first["message"]
    if len(entries) > 1:
        message += f" ({len(entries) - 1} more problem{'s' if len(entries) > 2 else ''})"
    return status, message, first["loc"], entries


def install_handlers(app: FastAPI) -> None:
    """Map every error to the JSON shape above."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(BackchannelError)
    async def _bc_error(request: Request, exc: BackchannelError) -> JSONResponse:
        return from_backchannel(exc).response()

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, message, loc, entries = _validation_message(exc)
        body = error_body(message, loc=loc, hint="See /api/docs for the request's fields.")
        body["errors"] = entries
        return JSONResponse(body, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such page or endpoint: {request.url.path}"
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return JSONResponse(error_body(detail), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("internal error", hint="The server logged the details."), status_code=500
        )
