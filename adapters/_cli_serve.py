"""``o2c serve`` and ``o2c link``: the payer portal beside its sandbox gateway."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import httpx
import typer
import uvicorn

from adapters._cli_common import engine, fail
from adapters.portal.app import create_app
from adapters.portal.context import Portal
from adapters.portal.gateway import HttpGateway
from adapters.portal.settings import PortalSettings
from adapters.sandbox.app import create_sandbox
from adapters.wiring import Engine, open_portal
from domain.account import Account
from domain.invoice import Invoice

HostOption = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOption = Annotated[
    int,
    typer.Option(
        "--port", min=1, max=65534, help="Portal port; the sandbox gateway uses +1."
    ),
]


def sandbox_key(folder: Path) -> str:
    """The sandbox gateway's API key, generated once in the data folder."""
    path = folder / "sandbox-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def build(opened: Engine, host: str, port: int) -> tuple[Portal, list[uvicorn.Server]]:
    """The portal over an engine, and the servers that serve it (and the
    sandbox gateway, unless a gateway URL is set)."""
    settings = PortalSettings()
    public = settings.public_url or f"http://{host}:{port}"
    servers = []
    if settings.gateway_url:
        gateway_url = settings.gateway_url
        if settings.gateway_key is None:
            raise fail("O2C_PORTAL_GATEWAY_KEY is required with O2C_PORTAL_GATEWAY_URL")
        key = settings.gateway_key.get_secret_value()
    else:
        gateway_url = f"http://{host}:{port + 1}"
        key = sandbox_key(opened.settings.data_dir)
        folder = opened.settings.data_dir
        sandbox = create_sandbox(folder / "sandbox.sqlite", key, [_origin(public)])
        servers.append(_server(sandbox, host, port + 1))
    client = httpx.Client(base_url=gateway_url, timeout=15)
    gateway = HttpGateway(gateway_url, client, key)
    portal = open_portal(opened, settings, public, gateway, _origin(gateway_url))
    servers.insert(0, _server(create_app(portal), host, port))
    return portal, servers


def _server(app: object, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False
    )
    return uvicorn.Server(config)


def run(servers: list[uvicorn.Server]) -> None:
    async def together() -> None:
        await asyncio.gather(*(server.serve() for server in servers))

    asyncio.run(together())


def serve_engine(
    opened: Engine, host: str, port: int, before: Callable[[Portal], None]
) -> None:
    portal, servers = build(opened, host, port)
    before(portal)
    try:
        run(servers)
    finally:
        cache = portal.cache
        typer.echo(
            f"read cache: {cache.hits} hits, {cache.misses} misses "
            f"({cache.hit_rate():.1%} hit rate)",
            err=True,
        )
        portal.store.close()


def serve(
    ctx: typer.Context, host: HostOption = "127.0.0.1", port: PortOption = 8000
) -> None:
    """Serve the payer portal (and the sandbox gateway on the next port)."""
    with engine(ctx) as opened:
        serve_engine(
            opened,
            host,
            port,
            lambda portal: typer.echo(f"portal on {portal.public_url}", err=True),
        )


def link(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The account number.")],
    invoice: Annotated[
        str | None, typer.Option("--invoice", help="Open this invoice's payment page.")
    ] = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Print a signed, single-use sign-in link for an account."""
    with engine(ctx, existing=True) as opened:
        portal, _ = build(opened, host, port)
        account_id = str(Account.id_for(account))
        if portal.views.account(account_id) is None:
            raise fail(f"no account {account!r} in the ledger")
        invoice_id = None if invoice is None else str(Invoice.id_for(invoice))
        if (
            invoice_id is not None
            and portal.views.invoice(account_id, invoice_id) is None
        ):
            raise fail(f"account {account} has no invoice {invoice!r}")
        typer.echo(portal.link_url(account_id, invoice_id))
        portal.store.close()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("link")(link)
