"""The portal's words: the ``[portal]`` texts of ``adapters/texts`` in the
payer's language, with the same babel formats as documents and e-mails."""

from __future__ import annotations

from typing import Any

from adapters.languages import Words, payer_locale


class PortalWords(Words):
    """A language's words for the portal's pages, named without their section."""

    def __call__(self, key: str, **values: Any) -> str:
        return super().__call__(f"portal.{key}", **values)


def portal_words(language: str, country: str = "") -> PortalWords:
    """The portal's words in a language, formatting figures for the country."""
    return PortalWords(payer_locale(language, country))
