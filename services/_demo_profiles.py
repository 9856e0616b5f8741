"""Countries, customer names and payer profiles behind the generated demo book."""

from __future__ import annotations

import random
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Country:
    """Where a customer is billed from the demo: currency, language, names.

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


@dataclass(frozen=True, slots=True)
class Profile:
    """How a kind of payer behaves, as chances per invoice.

    ``late_mean`` is the mean of the skewed days-late distribution;
    ``batches`` the chance that the account pays in monthly payment runs,
    one payment settling every invoice that falls due in the month.
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
    batches: float


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
    """An invoice amount: log-uniform across decades, drawn with integers only."""
    decades = len(str(country.high // country.low)) - 1
    floor = country.low * 10 ** rng.randrange(max(decades, 1))
    return rng.randint(floor, min(floor * 10 - 1, country.high))


def days_late(rng: random.Random, mean: int) -> int:
    """Days past due: mostly a few, with a long tail."""
    return 1 + int(rng.gammavariate(1.5, mean / 1.5))


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
