"""The overview of an account, gathered from the read models in one place
for the page and the API alike."""

from __future__ import annotations

from typing import Any

from adapters.portal.context import Portal


def overview(
    portal: Portal,
    account_id: str,
    sort: str = "due",
    search: str = "",
    currency: str = "",
    overdue: bool = False,
) -> dict[str, Any]:
    today = portal.today()
    search, currency = search[:64], currency[:3]

    def read() -> dict[str, Any]:
        shown: dict[str, Any] = portal.views.overview(
            account_id,
            today,
            sort=sort,
            search=search,
            currency=currency,
            overdue=overdue,
        )
        for invoice in shown["open_invoices"]:
            invoice["days_overdue"] = max(0, (today - invoice["due_date"]).days)
        shown["currencies"] = sorted({b["currency"] for b in shown["balances"]})
        return shown

    key = ("overview", today, sort, search, currency, overdue)
    return portal.cache.read(account_id, key, read)
