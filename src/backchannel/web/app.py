"""The workbench's application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from .._version import __version__
from .context import Services
from .settings import Limits

__all__ = ["create_app"]


def create_app(
    *,
    store_url: str | None = None,
    token: str | None = None,
    static_dir: Path | None = None,
    limits: Limits | None = None,
) -> FastAPI:
    """The web workbench as an ASGI app (FastAPI).

    ``store_url``: the run store (default: the user's, opened on first use);
    ``token``: require this access token on every route (bearer header or the
    login form); ``static_dir``: the front end (default: the package's
    ``web/static``; a placeholder page if it has no ``index.html``);
    ``limits``: what one request may ask for (:class:`Limits`).
    """
    from .api import router
    from .pages import install_pages
    from .problems import install_handlers
    from .security import SecurityMiddleware, _Throttle, install_login
    from .sessions import Revocations

    if token is not None and not token.strip():
        raise ValueError("the access token is empty")
    limits = limits or Limits()
    svc = Services(limits, store_url, token)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from starlette.concurrency import run_in_threadpool

        from .problems import ApiError, log

        try:  # open (and migrate) the store now rather than during a first request
            await run_in_threadpool(svc.store)
        except ApiError as e:
            log.warning("the run store is not available: %s", e.message)
        yield
        await run_in_threadpool(svc.close)

    app = FastAPI(
        title="Backchannel workbench",
        version=__version__,
        description="Graph-model stability, hypergames, bargaining forecasts and scenario runs.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.services = svc
    app.state.token = token
    install_handlers(app)
    app.include_router(router)
    install_pages(app, static_dir)
    throttle = _Throttle()  # failed tokens, from the login form and the bearer header alike
    revocations = Revocations(svc.store)
    app.state.revocations = revocations
    install_login(app, token, throttle)
    app.add_middleware(
        SecurityMiddleware,
        token=token,
        max_body=limits.max_body,
        throttle=throttle,
        revocations=revocations,
    )
    return app
