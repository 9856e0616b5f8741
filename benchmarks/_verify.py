"""After the payment load: was every accepted payment recorded exactly once?

Checked three ways, with the portal stopped: the command receipts in the event
store (what each idempotency key answered first), the new payments and the
open amounts in the read models, and the charges the sandbox gateway took.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from adapters.portal.paying import command_key
from adapters.settings import Settings
from adapters.wiring import Engine, open_engine

Result = dict[str, Any]


def answers_by_key(sends: list[Result]) -> dict[str, Result]:
    """Per idempotency key: its account, how often it was sent and the payment
    ids its accepted answers named (one, if repeats were answered alike)."""
    keys: dict[str, Result] = {}
    for send in sends:
        seen = keys.setdefault(
            send["key"],
            {"account_id": send["account_id"], "sends": 0, "ids": set()},
        )
        seen["sends"] += 1
        if send["status"] == 201:
            seen["ids"].add(send["payment_id"])
    return keys


def new_payments(opened: Engine, head: int) -> dict[str, tuple[str, int]]:
    """Payments the read models gained after position ``head``."""
    rows = opened.models.con.execute(
        "SELECT payment_id, currency, amount_minor FROM payments "
        "WHERE position > $head",
        {"head": head},
    ).fetchall()
    return {str(p): (str(c), int(m)) for p, c, m in rows}


def receipts(opened: Engine, keys: dict[str, Result]) -> dict[str, str | None]:
    """The payment each key's first command made, from the event store."""
    found = {}
    for key, seen in keys.items():
        first = opened.app.handled(command_key(seen["account_id"], key))
        found[key] = None if first is None else first.get("payment_id")
    return found


def open_fell(opened: Engine, targets: list[Result]) -> Counter[str]:
    """Per currency, how far the paid invoices' open amounts fell."""
    rows = opened.models.con.execute(
        "SELECT invoice_id, open_minor FROM invoices "
        "WHERE list_contains($ids, invoice_id)",
        {"ids": [t["invoice_id"] for t in targets]},
    ).fetchall()
    now = {str(i): int(m) for i, m in rows}
    fell: Counter[str] = Counter()
    for target in targets:
        fell[target["currency"]] += target["open_minor"] - now[target["invoice_id"]]
    return fell


def gateway_charges(run: Path) -> int:
    """Charges the sandbox gateway approved for portal payments."""
    con = sqlite3.connect(run / "sandbox.sqlite")
    try:
        row = con.execute(
            "SELECT count(*) FROM charges "
            "WHERE status = 'succeeded' AND key LIKE 'portal-pay:%'"
        ).fetchone()
    finally:
        con.close()
    return int(row[0])


def check_payments(run: Path, targets: list[Result], results: Result) -> Result:
    """Figures and faults: ``lost`` and ``doubled`` count payments either way."""
    sent = results["payments"]
    keys = answers_by_key(sent["sends"])
    accepted = {k: next(iter(s["ids"])) for k, s in keys.items() if s["ids"]}
    setup = set(results["setup_payments"])
    with open_engine(Settings(data_dir=run)) as opened:
        recorded = receipts(opened, keys)
        rows = new_payments(opened, results["head"])
        fell = open_fell(opened, targets)
    charges = gateway_charges(run)

    # Lost: an accepted answer the store or the read models do not hold, a
    # payment made but never answered, or money taken that nothing records.
    wrong_receipt = sum(1 for k, pid in accepted.items() if recorded[k] != pid)
    missing = len((set(accepted.values()) | setup) - rows.keys())
    silent = sum(1 for k in keys if k not in accepted and recorded[k])
    uncovered = max(0, charges - len(rows))
    # Doubled: one key answered with two payments, or payments nobody asked for.
    twice = sum(1 for s in keys.values() if len(s["ids"]) > 1)
    made = {pid for pid in recorded.values() if pid} | set(accepted.values()) | setup
    unasked = len(rows.keys() - made)

    paid: Counter[str] = Counter()
    for currency, minor in rows.values():
        paid[currency] += minor
    repeats = sum(s["sends"] - 1 for s in keys.values())
    statuses = Counter(s["status"] for s in sent["sends"])
    stored = sum(1 for pid in recorded.values() if pid)
    lines = [
        (
            "payments sent",
            f"{len(sent['sends']):,} requests: {len(keys):,} keys and {repeats:,} "
            f"repeats of a key; answers {dict(sorted(statuses.items()))}; "
            f"{sent['retried']:,} retried after no answer",
        ),
        (
            "payments recorded",
            f"{len(rows):,} new payments = {len(setup):,} card set-ups + "
            f"{len(accepted):,} accepted keys; {stored:,} key receipts in the "
            f"event store; {charges:,} gateway charges",
        ),
        (
            "amounts",
            "paid "
            + ", ".join(f"{c} {m:,}" for c, m in sorted(paid.items()))
            + " minor units; open amounts fell by "
            + ("the same" if fell == paid else f"{dict(fell)} (NOT the same)"),
        ),
        (
            "lost",
            f"{wrong_receipt} answers unlike their receipt, {missing} accepted "
            f"but not in the read models, {silent} made but never answered, "
            f"{uncovered} charges without a payment",
        ),
        (
            "doubled",
            f"{twice} keys answered with two payments, "
            f"{unasked} payments nobody asked for",
        ),
    ]
    return {
        "lines": lines,
        "lost": wrong_receipt + missing + silent + uncovered + int(fell != paid),
        "doubled": twice + unasked,
    }
