"""``backchannel serve``: the web workbench."""

from __future__ import annotations

from typing import Annotated

import typer

from .common import DbOpt

__all__ = ["register"]


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; anything but loopback needs --token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="BACKCHANNEL_TOKEN",
            show_envvar=True,
            help="Require this access token (prefer the environment variable: a command line is visible "
            "to other users of the machine).",
        ),
    ] = None,
    db: DbOpt = None,
) -> None:
    """Serve the web workbench: edit cases, analyse them, draw the state graph, run scenarios.

    Binds to loopback by default. Every asset ships with Backchannel (no CDN),
    so it works on a closed network.
    """
    from ..errors import BackchannelError
    from ..web.security import is_loopback_host

    if token is not None and not token.strip():
        raise BackchannelError("the access token is empty")
    if not is_loopback_host(host) and token is None:
        raise BackchannelError(
            f"refusing to serve on {host}, which other machines can reach, without an access token: "
            "set BACKCHANNEL_TOKEN (or --token) to a long random secret, or serve on 127.0.0.1"
        )
    if db is not None:  # a wrong store is said at once, not at the first request
        from ..store import open_store

        open_store(db).close()
    import uvicorn

    from ..web import create_app
    from .common import console

    app = create_app(store_url=db, token=token)
    shown = f"[{host}]" if ":" in host else host
    out = console(stderr=True)
    out.print(
        f"Backchannel workbench on http://{shown}:{port}/" + (" (access token required)" if token else "")
    )
    if token is not None and len(token) < 16:
        out.print("[yellow]warning[/yellow]: the access token is short; use at least 16 random characters")
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
