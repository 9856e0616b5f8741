"""The browser infrastructure itself: Chromium opens a page served on
loopback, screenshots are written, and a link from a received e-mail works."""

import re
from datetime import UTC, datetime

from adapters.mail import SmtpMailer, sign_in_mail
from adapters.settings import Settings

NAME = "株式会社山田製作所"


def greeting_app(title):
    """A one-page ASGI app that greets whoever asks, by the ``who`` query."""

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        who = scope["query_string"].decode().removeprefix("who=") or "nobody"
        body = f"<!DOCTYPE html><meta charset=utf-8><h1>{title}</h1><p>{who}</p>"
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/html; charset=utf-8")],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})

    return app


def test_chromium_reads_a_page_served_on_loopback(live_server, page):
    url = live_server(greeting_app(NAME))

    page.goto(url)

    assert page.locator("h1").inner_text() == NAME


def test_a_screenshot_of_the_page_is_written_as_png(live_server, page, shot):
    page.goto(live_server(greeting_app(NAME)))

    path = shot("01-greeting")

    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_link_from_a_received_mail_opens_in_the_browser(live_server, page, smtp):
    url = live_server(greeting_app("signed in"))
    mailer = SmtpMailer(Settings(smtp_host=smtp.host, smtp_port=smtp.port))
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    mailer.send(
        sign_in_mail(
            "acct-1", NAME, "ap@payer.example", f"{url}/?who=JP-3", expires, "ja"
        )
    )

    text = smtp.received[0].part("text/plain")
    link = re.search(r"http://127\.0\.0\.1:\d+/\S+", text)
    assert link is not None
    page.goto(link.group())

    assert page.locator("p").inner_text() == "JP-3"


def test_a_request_for_another_host_is_blocked_in_the_browser(page):
    """The guard answers before any lookup: nothing leaves the machine."""
    failures = []
    page.on("requestfailed", lambda request: failures.append(request.failure))

    page.set_content('<img src="http://cdn.o2c.invalid/logo.png">')

    assert len(failures) == 1
    assert failures[0].startswith("net::ERR_BLOCKED_BY_CLIENT")
