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
    views = portal.views
    today = portal.today()
    open_invoices = views.invoices(
        account_id,
        sort=sort,
        search=search[:64],
        currency=currency[:3],
        overdue_on=today if overdue else None,
    )
    for invoice in open_invoices:
        invoice["days_overdue"] = max(0, (today - invoice["due_date"]).days)
    balances = views.balances(account_id, today)
    return {
        "balances": balances,
        "open_invoices": open_invoices,
        "closed_invoices": views.invoices(account_id, closed=True, sort="-due"),
        "credits": views.credits(account_id),
        "payments": views.payments(account_id),
        "disputes": views.disputes(account_id),
        "promises": views.promises(account_id, today),
        "currencies": sorted({b["currency"] for b in balances}),
    }
