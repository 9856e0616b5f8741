"""How simulated payers answer the cadence's messages, as seeded random draws.

Nothing here touches the ledger: it decides who does what on which day, and
the simulation turns that into commands.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

# The chance that a payer acts on a message, by step: firmer steps move more.
ACTS_ON = {
    "invoice": 0.20,
    "courtesy": 0.35,
    "due": 0.45,
    "dunning_1": 0.50,
    "dunning_2": 0.55,
    "dunning_3": 0.60,
    "final": 0.75,
    "promise_broken": 0.65,
}
# How readily each kind of payer acts, and how often by promising or disputing.
PROFILES = {
    "prompt": (1.6, 0.05, 0.02),
    "usually_late": (1.0, 0.15, 0.04),
    "chronic_late": (0.5, 0.30, 0.05),
    "disputer": (0.9, 0.10, 0.30),
}
PROFILE_WEIGHTS = (40, 30, 15, 15)
KEEPS_PROMISE = 0.65


@dataclass(frozen=True)
class Response:
    """What a payer will do about one invoice: ``pay``, ``promise`` (with
    ``until`` and whether it is ``kept``) or ``dispute``, on ``on``."""

    action: str
    on: date
    until: date | None = None
    kept: bool = True


def profile_of(customer_id: str, seed: int) -> str:
    rng = random.Random(f"{seed}:{customer_id}")
    return rng.choices(list(PROFILES), weights=PROFILE_WEIGHTS)[0]


def respond(rng: random.Random, profile: str, step: str, day: date) -> Response | None:
    """The payer's answer to a message about an invoice, or None (no reaction)."""
    eager, promises, disputes = PROFILES[profile]
    if rng.random() >= min(ACTS_ON.get(step, 0.0) * eager, 0.95):
        return None
    draw = rng.random()
    if draw < disputes and step not in ("invoice", "promise_broken"):
        return Response("dispute", day + timedelta(days=rng.randint(1, 3)))
    if draw < disputes + promises:
        made = day + timedelta(days=rng.randint(0, 2))
        until = made + timedelta(days=rng.randint(5, 14))
        return Response("promise", made, until, rng.random() < KEEPS_PROMISE)
    delay = max(1, round(rng.lognormvariate(1.0, 0.6)))
    return Response("pay", day + timedelta(days=delay))


def resolution(rng: random.Random, raised: date) -> tuple[date, float]:
    """When a collector resolves a dispute, and the share credited (0 rejects)."""
    on = raised + timedelta(days=rng.randint(3, 15))
    share = rng.choice((0.0, 0.0, 1.0, 0.5, 0.2))
    return on, share
