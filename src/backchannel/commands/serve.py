"""``backchannel serve``: the web workbench."""

from __future__ import annotations

import socket
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
    trusted_proxy: Annotated[
        str | None,
        typer.Option(
            "--trusted-proxy",
            metavar="ADDR",
            help="Believe X-Forwarded-For/-Proto only from this reverse proxy (addresses or networks, "
            "comma-separated, e.g. 127.0.0.1). Without it the client is the connection's address.",
        ),
    ] = None,
) -> None:
    """Serve the web workbench: edit cases, analyse them, draw the state graph, run scenarios.

    Binds to loopback by default. Every asset ships with Backchannel (no CDN),
    so it works on a closed network. A port that cannot be had (in use,
    not permitted) is exit code 2 with the reason.
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
    proxies = _proxies(trusted_proxy)
    sock = _bind(host, port)  # before anything else, so that a busy port is said at once
    import uvicorn

    from ..web import create_app
    from .common import console

    app = create_app(store_url=db, token=token)
    app.state.services.worker.warm()  # the worker processes of expensive analyses
    shown = f"[{host}]" if ":" in host else host
    out = console(stderr=True)
    out.print(
        f"Backchannel workbench on http://{shown}:{port}/" + (" (access token required)" if token else "")
    )
    if token is not None and len(token) < 16:
        out.print("[yellow]warning[/yellow]: the access token is short; use at least 16 random characters")
    with sock:  # uvicorn serves on the socket bound above (fd), host and port are for show
        uvicorn.run(
            app,
            host=host,
            port=port,
            fd=sock.fileno(),
            log_level="warning",
            server_header=False,
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
        )


def _proxies(given: str | None) -> list[str]:
    """The trusted proxies' addresses or networks, checked."""
    import ipaddress

    from ..errors import BackchannelError

    if given is None:
        return []
    out = [p.strip() for p in given.split(",") if p.strip()]
    for p in out:
        try:
            ipaddress.ip_network(p, strict=False)
        except ValueError:
            raise BackchannelError(
                f"--trusted-proxy {p!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    if not out:
        raise BackchannelError("--trusted-proxy is empty: give the proxy's address")
    return out


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on (host, port), as uvicorn would open it; a port that is
    taken or not permitted is a :class:`BackchannelError` (exit code 2)."""
    import errno

    from ..errors import BackchannelError

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as e:
        raise BackchannelError(f"cannot serve on {host}: {e.strerror or e}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            why = "another program is listening on it; stop that program or choose another --port"
        elif e.errno in (errno.EACCES, errno.EPERM):
            why = "this user may not listen on it (ports below 1024 need privileges); choose 8000 or above"
        elif e.errno == errno.EADDRNOTAVAIL:
            why = f"{host} is not an address of this machine; give one of its addresses or 127.0.0.1"
        else:
            why = e.strerror or str(e)
        raise BackchannelError(f"cannot serve on {host} port {port}: {why}") from None
    return sock


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
