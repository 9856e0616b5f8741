"""The portal's languages: picking one, its words, and babel's formats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency

from adapters.portal._messages import MESSAGES
from domain.money import from_minor

LANGUAGES = {"en": "English", "zh_Hans": "简体中文", "ja": "日本語"}
DEFAULT = "en"


def product_language(code: str | None) -> str:
    """The portal language nearest a locale code; English when none is near."""
    if not code:
        return DEFAULT
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return DEFAULT
    if locale.language == "zh" and locale.script in (None, "Hans"):
        return "zh_Hans"
    return locale.language if locale.language in LANGUAGES else DEFAULT


def from_header(accept_language: str) -> str:
    """The first portal language an Accept-Language header asks for."""
    for part in accept_language.split(","):
        code = part.split(";")[0].strip()
        if code.split("-")[0].lower() in ("en", "zh", "ja"):
            return product_language(code)
    return DEFAULT


def _locale(language: str, country: str) -> Locale:
    if language == "en" and country:
        try:
            return Locale.parse(f"en_{country}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse({"zh_Hans": "zh_Hans_CN", "ja": "ja_JP"}.get(language, "en"))


@dataclass(frozen=True)
class Words:
    """The words and formats of one language, handed to every template."""

    language: str
    locale: Locale

    @classmethod
    def of(cls, language: str, country: str = "") -> Words:
        chosen = language if language in LANGUAGES else DEFAULT
        return cls(chosen, _locale(chosen, country))

    def __call__(self, key: str, **values: Any) -> str:
        text = MESSAGES[self.language][key]
        return text.format(**values) if values else text

    def money(self, minor: int, currency: str) -> str:
        return format_currency(
            from_minor(minor, currency), currency, locale=self.locale
        )

    def day(self, value: date | None) -> str:
        return "" if value is None else format_date(value, "medium", locale=self.locale)
