"""Who the demo book's customers are and how they pay, as pure random draws.

Nothing here touches the domain: it decides dates and amounts in whole minor
units, and ``services.demo`` turns them into ledger events.
"""

from __future__ import annotations

import random
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Country:
    """A customer country of the demo book: currency, language, company names.

    Invoice amounts are drawn in whole minor units between ``low`` and
    ``high`` (a typical range for business invoices in that currency);
    ``small`` is the balance below which a collector would write it off.
    """

    code: str
    currency: str
    language: str
    weight: int
    low: int
    high: int
    small: int
    methods: tuple[str, ...]
    names: tuple[tuple[str, ...], ...]
    pattern: str


# The first six cover the required currencies, so even the smallest book has them.
COUNTRIES = (
    Country(
        "US", "USD", "en", 25, 200_00, 250_000_00, 300_00,
        ("ach", "wire", "check", "card"),
        (
            ("Summit", "Redwood", "Harbor", "Keystone", "Blue Ridge", "Prairie"),
            ("Logistics", "Foods", "Fabrication", "Software", "Supply"),
            ("Inc.", "LLC", "Corp."),
        ),
        "{0} {1} {2}",
    ),
    Country(
        "JP", "JPY", "ja", 12, 20_000, 30_000_000, 30_000,
        ("bank_transfer",),
        (
            ("山田", "鈴木", "高橋", "田中", "中村", "小林", "東邦"),
            ("製作所", "商事", "電機", "物流", "食品", "精機"),
            ("株式会社", "有限会社"),
        ),
        "{2}{0}{1}",
    ),
    Country(
        "DE", "EUR", "de", 15, 200_00, 200_000_00, 250_00,
        ("sepa_transfer", "sepa_direct_debit", "card"),
        (
            ("Müller", "Schneider", "Becker", "Hoffmann", "Wagner", "Schäfer"),
            ("Maschinenbau", "Logistik", "Elektrotechnik", "Handel"),
            ("GmbH", "AG", "GmbH & Co. KG"),
        ),
        "{0} {1} {2}",
    ),
    Country(
        "KW", "KWD", "ar", 5, 50_000, 60_000_000, 80_000,
        ("bank_transfer", "cheque"),
        (
            ("الخليج", "الصباح", "المطوع", "الغانم", "البحر"),
            ("للتجارة العامة", "للمقاولات", "للتجهيزات"),
            ("ش.م.ك", "ذ.م.م"),
        ),
        "شركة {0} {1} {2}",
    ),
    Country(
        "CN", "CNY", "zh", 12, 1_500_00, 1_500_000_00, 2_000_00,
        ("bank_transfer",),
        (
            ("上海", "深圳", "北京", "广州", "杭州", "苏州"),
            ("华信", "恒达", "中联", "鑫源", "永泰", "金桥"),
            ("贸易", "科技", "电子", "物流"),
        ),
        "{0}{1}{2}有限公司",
    ),
    Country(
        "GB", "GBP", "en", 12, 150_00, 150_000_00, 200_00,
        ("faster_payments", "bacs", "card"),
        (
            ("Ashford", "Thornbury", "Kingsley", "Whitmore", "Pennine"),
            ("Engineering", "Wholesale", "Foods", "Services"),
            ("Ltd", "plc"),
        ),
        "{0} {1} {2}",
    ),
    Country(
        "BR", "BRL", "pt", 9, 1_000_00, 1_000_000_00, 1_500_00,
        ("pix", "boleto", "ted"),
        (
            ("Silva", "Oliveira", "Costa", "Pereira", "Almeida"),
            ("Comércio de Alimentos", "Transportes", "Metalúrgica"),
            ("Ltda.", "S.A."),
        ),
        "{0} {1} {2}",
    ),
    Country(
        "IN", "INR", "hi", 10, 15_000_00, 20_000_000_00, 25_000_00,
        ("neft", "rtgs", "upi"),
        (
            ("Sharma", "Patel", "Reddy", "Iyer", "Gupta", "Mehta"),
            ("Textiles", "Infotech", "Pharma", "Engineering"),
            ("Pvt. Ltd.", "Ltd."),
        ),
        "{0} {1} {2}",
    ),
)  # fmt: skip
BY_CURRENCY = {country.currency: country for country in COUNTRIES}


@dataclass(frozen=True, slots=True)
class Profile:
    """How a kind of payer behaves, as chances per invoice.

    ``late_mean`` is the mean of the skewed days-late distribution;
    ``runs`` the chance that the account pays in monthly payment runs, one
    payment settling everything it pays in that month.
    """

    name: str
    weight: int
    on_time: float
    late_mean: int
    instalments: float
    disputes: float
    credits: float
    never_pays: float
    short_pays: float
    runs: float


PROFILES = (
    Profile("prompt", 40, 0.92, 4, 0.03, 0.02, 0.04, 0.00, 0.01, 0.6),
    Profile("usually_late", 30, 0.35, 14, 0.08, 0.04, 0.05, 0.01, 0.03, 0.4),
    Profile("chronic_late", 15, 0.10, 45, 0.20, 0.05, 0.04, 0.10, 0.06, 0.3),
    Profile("disputer", 15, 0.55, 10, 0.05, 0.30, 0.08, 0.02, 0.02, 0.3),
)

NET_DAYS = ((15, 15), (30, 50), (45, 20), (60, 15))
DELIVERY = (("paper", 25), ("email", 50), ("portal", 25))

DISPUTE_REASONS = (
    "price differs from the purchase order",
    "goods damaged in transit",
    "quantity short",
    "service not rendered",
    "duplicate invoice",
    "purchase order number missing",
)
CREDIT_REASONS = ("price correction", "returned goods", "volume rebate")


def pick(rng: random.Random, table: tuple[tuple[T, int], ...]) -> T:
    """One value from a table of (value, weight) pairs."""
    values = [value for value, _ in table]
    return rng.choices(values, weights=[weight for _, weight in table])[0]


def country_for(rng: random.Random, index: int) -> Country:
    if index < len(COUNTRIES):
        return COUNTRIES[index]
    return rng.choices(COUNTRIES, weights=[c.weight for c in COUNTRIES])[0]


def profile_for(rng: random.Random, index: int) -> Profile:
    if index < len(PROFILES):
        return PROFILES[index]
    return rng.choices(PROFILES, weights=[p.weight for p in PROFILES])[0]


def company_name(rng: random.Random, country: Country) -> str:
    return country.pattern.format(*(rng.choice(part) for part in country.names))


def amount_minor(rng: random.Random, country: Country) -> int:
    """An invoice amount: a decade picked evenly, then an amount within it.

    Integers only, so the same seed gives the same amounts on any machine.
    """
    decades = len(str(country.high // country.low)) - 1
    floor = country.low * 10 ** rng.randrange(max(decades, 1))
    return rng.randint(floor, min(floor * 10 - 1, country.high))


def credit_limit(rng: random.Random, country: Country) -> int | None:
    """A round credit limit of several typical invoices, for some accounts."""
    if rng.random() >= 0.4:
        return None
    raw = amount_minor(rng, country) * rng.randint(5, 20)
    unit = 10 ** (len(str(raw)) - 2)
    return raw // unit * unit


def days_late(rng: random.Random, mean: int) -> int:
    """Days past due: mostly a few, with a long tail."""
    return 1 + int(rng.gammavariate(1.5, mean / 1.5))


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


class Credit(NamedTuple):
    on: date
    minor: int
    reason: str
    applied: bool


class Cash(NamedTuple):
    """Money the payer sends for one invoice, on a day not before ``earliest``."""

    on: date
    earliest: date
    minor: int


@dataclass(slots=True)
class Story:
    """What happens to one invoice after it is issued, up to the book's end."""

    credits: list[Credit] = field(default_factory=list)
    disputed: tuple[date, str] | None = None
    resolved: tuple[date, str] | None = None
    cash: list[Cash] = field(default_factory=list)
    write_off: tuple[date, str] | None = None


def invoice_story(
    rng: random.Random,
    profile: Profile,
    small: int,
    invoice: tuple[date, date, int],
    *,
    end: date,
) -> Story:
    """Draw the credits, dispute, cash and write-off of one invoice.

    ``invoice`` is its issue date, due date and amount in minor units, and
    ``small`` a balance in its currency not worth chasing. Each date follows
    the step before it and none is after ``end``; credits and cash together
    never exceed the invoice amount.
    """
    issued, due, minor = invoice
    story = Story()
    ready, left = issued, minor

    # A price correction or a return, credited against the invoice itself.
    if rng.random() < profile.credits:
        on = ready + _days(rng, 2, 20)
        credit = minor * rng.randint(5, 30) // 100
        if on <= end and 0 < credit < left:
            story.credits.append(Credit(on, credit, rng.choice(CREDIT_REASONS), True))
            ready, left = on, left - credit

    # A rebate the payer has not used yet: open credit on the account.
    if rng.random() < 0.02:
        on = ready + _days(rng, 5, 60)
        if on <= end:
            rebate = max(1, minor * rng.randint(2, 10) // 100)
            story.credits.append(Credit(on, rebate, "volume rebate", False))

    if rng.random() < profile.disputes:
        after = _dispute(rng, story, ready, (due - issued).days + 10, left, end)
        if after is None:
            return story
        ready, left = after
    _settle(rng, profile, small, story, (issued, due, ready), left, end)
    return story


def _dispute(
    rng: random.Random, story: Story, ready: date, within: int, left: int, end: date
) -> tuple[date, int] | None:
    """Raise a dispute; None while it is still open when the book ends."""
    raised = ready + _days(rng, 3, within)
    if raised > end:
        return ready, left
    story.disputed = (raised, rng.choice(DISPUTE_REASONS))

    resolved = raised + timedelta(days=days_late(rng, 20))
    if resolved > end or rng.random() < 0.1:
        return None
    credit = left * rng.randint(10, 60) // 100 if rng.random() < 0.5 else 0
    if credit:
        story.credits.append(Credit(resolved, credit, "dispute settled", True))
        story.resolved = (resolved, "settled with a credit memo")
    else:
        story.resolved = (resolved, "invoice upheld")
    return resolved, left - credit


def _settle(
    rng: random.Random,
    profile: Profile,
    small: int,
    story: Story,
    dates: tuple[date, date, date],
    left: int,
    end: date,
) -> None:
    """Pay what is left: on time, late, in instalments, short, or never."""
    issued, due, ready = dates
    if rng.random() < profile.never_pays:
        on = due + _days(rng, 120, 300)
        if left <= small and on <= end:
            story.write_off = (on, "uncollectible small balance")
        return

    if rng.random() < profile.on_time:
        paid = max(ready, due - _days(rng, 0, (due - issued).days // 2))
    else:
        paid = max(ready, due) + timedelta(days=days_late(rng, profile.late_mean))

    if rng.random() < profile.instalments:
        for _ in range(rng.randint(1, 2)):
            share = left * rng.randint(25, 50) // 100
            story.cash.append(Cash(paid, ready, share))
            left, ready = left - share, paid
            paid += _days(rng, 32, 45)
    elif rng.random() < profile.short_pays:
        short = max(1, min(left // 50, small // 10))
        on = paid + _days(rng, 60, 120)
        if on <= end:
            story.write_off = (on, "short payment, bank charges")
        left -= short
    story.cash.append(Cash(paid, ready, left))
    story.cash = [c for c in story.cash if c.on <= end and c.minor > 0]
