"""``o2c invoice NUMBER --email``: the invoice e-mail to the billing contact."""

from __future__ import annotations

import time

import typer

from adapters._cli_common import engine, fail
from adapters.documents import FontMissing
from adapters.invoice_emails import InvoiceEmails
from adapters.mail import MailNotSent, mailer_for
from adapters.portal.auth import SignInLink
from adapters.portal.settings import SERVE_URL, PortalSettings
from adapters.settings import Settings
from adapters.wiring import open_links
from domain.errors import DomainError
from projections.statements import NotInReadModels


def send_invoice(
    ctx: typer.Context, number: str, again: bool, language: str | None
) -> None:
    """Send it once (again only with ``--again``) and say what became of it.

    Its link points at ``O2C_PORTAL_PUBLIC_URL``, or at ``o2c serve``'s
    default address when that is not set.
    """
    settings: Settings = ctx.obj
    portal = PortalSettings()
    public = portal.public_url or SERVE_URL
    with engine(ctx, existing=True) as opened:
        links = open_links(opened, portal)

        def link(account_id: str, invoice_id: str) -> SignInLink:
            return links.link(public, account_id, invoice_id, portal, time.time())

        emails = InvoiceEmails(opened, link, mailer_for(settings))
        try:
            done = emails.send(number, again, language)
        except (NotInReadModels, FontMissing, MailNotSent, DomainError) as error:
            raise fail(str(error)) from None
        finally:
            links.store.close()
    if done.sent:
        where = "over SMTP" if settings.smtp_host else "to the outbox folder"
        typer.echo(
            f"sent invoice {number} to the billing contact of account "
            f"{done.account_number} ({where})"
        )
    else:
        typer.echo(
            f"invoice {number} was sent on {done.sent_on} already; "
            "--again sends it once more"
        )
