"""The payer's languages: which one a document or e-mail is written in, its
words, and the babel locale that formats its amounts and dates."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency

from domain.money import from_minor

LANGUAGES = ("en", "zh_Hans", "ja")
DEFAULT = "en"
# Each language by its own name, as a payer choosing it would look for it.
NAMES = {"en": "English", "zh_Hans": "简体中文", "ja": "日本語"}


def product_language(code: str) -> str:
    """The product language closest to a locale code (``zh-CN`` is zh_Hans).

    Languages o2c has no words for yet are written in English.
    """
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return DEFAULT
    if locale.language == "zh" and locale.script in (None, "Hans"):
        return "zh_Hans"
    return locale.language if locale.language in LANGUAGES else DEFAULT


def from_header(accept_language: str) -> str:
    """The first product language an Accept-Language header asks for."""
    for part in accept_language.split(","):
        code = part.split(";")[0].strip()
        if code.split("-")[0].lower() in ("en", "zh", "ja"):
            return product_language(code)
    return DEFAULT


def payer_locale(language: str, country: str = "") -> Locale:
    """The locale that formats a payer's figures: the product language as
    spoken in the payer's country when babel knows that pair (en_GB, en_DE),
    else the product language alone."""
    chosen = product_language(language)
    if country:
        try:
            return Locale.parse(f"{chosen}_{country}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(chosen)


@cache
def _words(language: str) -> dict[str, dict[str, str]]:
    source = resources.files("adapters") / "texts" / f"{language}.toml"
    return tomllib.loads(source.read_text(encoding="utf-8"))


class Words:
    """The texts of one product language, with the locale's number formats."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        self.language = product_language(str(locale))
        self._texts = _words(self.language)

    def __call__(self, key: str, **values: object) -> str:
        """The text named ``section.name``, with ``{placeholders}`` filled in."""
        section, name = key.split(".", 1)
        text = self._texts[section][name]
        return text.format(**values) if values else text

    def money(self, minor: int, currency: str) -> str:
        """An amount of minor units, with exactly the currency's decimals."""
        exact = from_minor(minor, currency)
        return format_currency(exact, currency, locale=self.locale)

    def day(self, value: date | None) -> str:
        return "" if value is None else format_date(value, "medium", self.locale)

    def moment(self, value: datetime) -> str:
        """A point in time, shown in UTC with the zone named."""
        return format_datetime(value, "long", tzinfo=UTC, locale=self.locale)


def words_for(language: str, country: str = "") -> Words:
    return Words(payer_locale(language, country))
