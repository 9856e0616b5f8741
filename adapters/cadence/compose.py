"""Composing a cadence message in the payer's language: subject, paragraphs,
the invoices it speaks of, and the text and HTML bodies."""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from adapters.languages import DEFAULT, Words, words_for
from domain.cadence import ANNOUNCEMENT, ASKS_FOR_MONEY

SHOWN_NUMBERS = 3

_templates = Environment(
    loader=PackageLoader("adapters.cadence", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",)),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


class UnknownStep(LookupError):
    """A step the message words do not know."""


@cache
def _texts(language: str) -> dict[str, dict[str, str]]:
    source = resources.files("adapters.cadence") / "words" / f"{language}.toml"
    return tomllib.loads(source.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Payer:
    """Whom a message addresses."""

    account_id: str
    name: str
    country: str
    language: str


@dataclass(frozen=True)
class Composed:
    """A message ready for any channel: e-mail, letter or portal inbox."""

    step: str
    language: str
    subject: str
    greeting: str
    paragraphs: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    total: str
    link: str | None
    text: str
    html: str
    words: dict[str, str]


def kind_of(step: str) -> str:
    """``promise_broken`` for ``promise_broken@2024-05-03``."""
    return step.split("@", 1)[0]


def compose(
    step: str,
    payer: Payer,
    invoices: list[dict[str, Any]],
    day: date,
    link: str | None = None,
    expires: datetime | None = None,
    notice: dict[str, Any] | None = None,
) -> Composed:
    """The message of ``step`` about ``invoices`` on business date ``day``.

    ``link`` is the one-click sign-in link (None in the portal inbox, where
    the payer is signed in already); ``notice`` holds an announcement's
    subject and body per language.
    """
    words = words_for(payer.language, payer.country)
    texts = _texts(words.language)
    common = texts["common"]
    kind = kind_of(step)
    facts = _facts(words, step, invoices, day)

    if kind == ANNOUNCEMENT:
        if notice is None:
            raise UnknownStep("an announcement needs its notice")
        chosen = notice.get(words.language) or notice[DEFAULT]
        subject, paragraphs = chosen["subject"], tuple(chosen["body"].split("\n\n"))
    elif kind in texts:
        subject = texts[kind]["subject"].format(**facts)
        paragraphs = (texts[kind]["intro"].format(**facts),)
    else:
        raise UnknownStep(f"no words for step {kind!r}")

    money = kind != "thanks"
    rows = tuple(
        {
            "number": i["number"],
            "due": words.day(date.fromisoformat(i["due_date"])),
            "open": words.money(
                i["open_minor"] if money else i["amount_minor"], i["currency"]
            ),
        }
        for i in invoices
    )
    action = common["action_pay" if kind in ASKS_FOR_MONEY else "action_view"]
    note = common["link_note"].format(expires=words.moment(expires) if expires else "")
    values = {
        "lang": words.language.replace("_", "-"),
        "subject": subject,
        "greeting": words("mail.greeting", name=payer.name),
        "paragraphs": paragraphs,
        "rows": rows,
        "total": facts["total"],
        "total_label": common["total" if money else "amount"],
        "headings": common,
        "action": action,
        "link": link,
        "link_note": note,
        "no_reply": common["no_reply"],
        "closing": words("mail.closing"),
    }
    return Composed(
        step=step,
        language=words.language,
        subject=subject,
        greeting=values["greeting"],
        paragraphs=paragraphs,
        rows=rows,
        total=facts["total"],
        link=link,
        text=_templates.get_template("message.txt").render(values),
        html=_templates.get_template("message.html").render(values),
        words={**common, "action": action, "closing": values["closing"]},
    )


def _facts(
    words: Words, step: str, invoices: list[dict[str, Any]], day: date
) -> dict[str, str]:
    """The placeholders of the subject and the paragraph."""
    numbers = [i["number"] for i in invoices]
    shown = ", ".join(numbers[:SHOWN_NUMBERS])
    if len(numbers) > SHOWN_NUMBERS:
        shown += f" (+{len(numbers) - SHOWN_NUMBERS})"
    per_currency: dict[str, int] = defaultdict(int)
    field = "amount_minor" if kind_of(step) == "thanks" else "open_minor"
    for invoice in invoices:
        per_currency[invoice["currency"]] += int(invoice[field])
    total = " + ".join(words.money(v, c) for c, v in sorted(per_currency.items()))
    dues = [date.fromisoformat(i["due_date"]) for i in invoices]
    _, _, suffix = step.partition("@")
    return {
        "numbers": shown,
        "count": str(len(numbers)),
        "total": total,
        "due": words.day(min(dues)) if dues else "",
        "days": str(max(((day - d).days for d in dues), default=0)),
        "promised": (
            words.day(date.fromisoformat(suffix))
            if kind_of(step) == "promise_broken" and suffix
            else ""
        ),
    }
