"""The load generator of the portal benchmark: signed-in payers sending requests
on a fixed schedule, run in a process of its own.

The schedule is open-loop: request ``i`` is due at ``start + i / rate``
whatever happened to the ones before, and its latency counts from that due
time, so a slow server shows as queueing in the figures instead of slowing
the arrivals down.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any

import httpx

TIMEOUT = 30.0
# Past this many requests waiting for an answer, new ones are not sent but
# counted as shed: an overloaded server then ends a phase in bounded time.
MAX_IN_FLIGHT = 400
SIGN_IN_AT_ONCE = 8
SETUP_AT_ONCE = 4
TEST_CARD = {"number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"}

Result = dict[str, Any]


class _NoCookies(DefaultCookiePolicy):
    """The shared client keeps no cookies: each request names its payer's."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


@dataclass
class Payer:
    """A signed-in browser of one account: its cookies and CSRF token."""

    account_id: str
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    @property
    def header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}


@dataclass
class Sent:
    """One scheduled request: how late it was sent and how it ended."""

    due: float
    sent: float = 0.0
    done: float = 0.0
    status: int = 0
    answer: Any = None
    shed: bool = False


def client(base_url: str) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    jar = httpx.Cookies(CookieJar(policy=_NoCookies()))
    return httpx.AsyncClient(
        base_url=base_url, timeout=TIMEOUT, limits=limits, cookies=jar
    )


async def bounded(at_once: int, jobs: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Run jobs with at most ``at_once`` of them in flight."""
    gate = asyncio.Semaphore(at_once)

    async def one(job: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await job()

    return await asyncio.gather(*(one(job) for job in jobs))


# Getting in --------------------------------------------------------------


async def sign_in(http: httpx.AsyncClient, account_id: str, link: str) -> Payer:
    """Open a sign-in link once and keep the session cookie it sets."""
    answer = await http.get(link)
    if answer.status_code != 303 or "o2c_session" not in answer.cookies:
        raise SystemExit(f"sign-in link for {account_id} answered {answer.status_code}")
    payer = Payer(account_id, {"o2c_session": answer.cookies["o2c_session"]})
    session = await http.get("/api/v1/session", headers=payer.header)
    payer.cookies.update(session.cookies)
    payer.csrf = session.json()["csrf_token"]
    return payer


async def store_card(http: httpx.AsyncClient, payer: Payer, invoice: Result) -> Result:
    """Pay a little with a new test card and save it, the way a browser does:
    the portal's form, the gateway's page, and back."""
    form = {
        "csrf_token": payer.csrf,
        "key": uuid.uuid4().hex,
        "invoice": invoice["invoice_id"],
        f"amount_{invoice['invoice_id']}": invoice["amount"],
        "method": "new_card",
        "save": "1",
    }
    to_gateway = await http.post("/pay", data=form, headers=payer.header)
    gateway_page = httpx.URL(to_gateway.headers["location"])
    back = await http.post(
        gateway_page.copy_with(query=None),
        data={
            "return_url": gateway_page.params["return_url"],
            "state": gateway_page.params["state"],
            "kind": "card",
            **TEST_CARD,
        },
    )
    receipt = await http.get(back.headers["location"], headers=payer.header)
    payment_id = receipt.headers.get("location", "").rsplit("/", 1)[-1]
    methods = await http.get("/api/v1/payment-methods", headers=payer.header)
    found = methods.json()
    if receipt.status_code != 303 or not payment_id or not found:
        raise SystemExit(f"could not store a card for {payer.account_id}")
    return {"payment_id": payment_id, "method_id": found[0]["method_id"]}


# The open-loop schedule -----------------------------------------------------


async def open_loop(
    rate: float,
    seconds: float,
    request: Callable[[int, Sent], Awaitable[None]],
) -> tuple[list[Sent], float]:
    """Send ``rate * seconds`` requests on time; their outcomes and the wall
    time from the first due time to the last answer."""
    loop = asyncio.get_running_loop()
    count = max(1, round(rate * seconds))
    start = loop.time() + 0.05
    sent = [Sent(due=start + i / rate) for i in range(count)]
    waiting = 0

    async def timed(index: int, one: Sent) -> None:
        nonlocal waiting
        waiting += 1
        one.sent = loop.time()
        try:
            await request(index, one)
        except httpx.HTTPError as error:
            one.status = 0
            one.answer = type(error).__name__
        one.done = loop.time()
        waiting -= 1

    tasks = []
    for index, one in enumerate(sent):
        delay = one.due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        if waiting >= MAX_IN_FLIGHT:
            one.shed = True
            continue
        tasks.append(asyncio.create_task(timed(index, one)))
    await asyncio.gather(*tasks)
    return sent, max(s.done for s in sent) - start


def figures(sent: list[Sent], wall: float, ok: set[int], cpu: float) -> Result:
    """Latencies in ms from each due time of the requests sent, errors, how
    many were shed, the wall time and the generator's own CPU seconds."""
    went = [s for s in sent if not s.shed]
    return {
        "ms": sorted((s.done - s.due) * 1000 for s in went),
        "late_ms": sorted((s.sent - s.due) * 1000 for s in went),
        "errors": sum(1 for s in went if s.status not in ok),
        "shed": len(sent) - len(went),
        "requests": len(sent),
        "answered": sum(1 for s in went if s.status in ok),
        "wall": wall,
        "client_cpu": cpu,
    }


async def read_phase(
    http: httpx.AsyncClient, payers: list[Payer], path: str, options: Result
) -> Result:
    rng = random.Random(options["seed"])

    async def request(_: int, one: Sent) -> None:
        payer = rng.choice(payers)
        answer = await http.get(path, headers=payer.header)
        one.status = answer.status_code

    cpu = time.process_time()
    sent, wall = await open_loop(options["rate"], options["seconds"], request)
    return figures(sent, wall, {200}, time.process_time() - cpu)


async def one_at_a_time(
    http: httpx.AsyncClient, payers: list[Payer], path: str, count: int
) -> list[float]:
    """Service times in ms with nothing else in flight: the server's cost of
    one request, without the queueing of the open-loop phases."""
    ms = []
    for index in range(count):
        started = time.perf_counter()
        answer = await http.get(path, headers=payers[index % len(payers)].header)
        ms.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"{path} answered {answer.status_code}")
    return sorted(ms)


# Payments -------------------------------------------------------------------


@dataclass
class PaymentPlan:
    """Which key each request carries: most are new, some repeat a key."""

    payers: list[tuple[Payer, Result]]
    repeat_share: float
    rng: random.Random
    keys: list[tuple[str, int]] = field(default_factory=list)

    def next_key(self) -> tuple[str, int, bool]:
        """A key and its payer's index; True when the key was used before."""
        if self.keys and self.rng.random() < self.repeat_share:
            key, index = self.rng.choice(self.keys)
            return key, index, True
        index = self.rng.randrange(len(self.payers))
        key = f"bench-{uuid.uuid4().hex}"
        self.keys.append((key, index))
        return key, index, False


async def pay_once(
    http: httpx.AsyncClient, payer: Payer, target: Result, key: str
) -> tuple[int, Any]:
    body = {
        "lines": [{"invoice_id": target["invoice_id"], "amount": target["amount"]}],
        "method_id": target["method_id"],
    }
    headers = {**payer.header, "Idempotency-Key": key, "X-CSRF-Token": payer.csrf}
    answer = await http.post("/api/v1/payments", json=body, headers=headers)
    found = answer.json() if answer.status_code == 201 else answer.text[:200]
    return answer.status_code, found


async def payment_phase(
    http: httpx.AsyncClient, paying: list[tuple[Payer, Result]], options: Result
) -> Result:
    """Pay at a fixed rate, repeating some keys, then retry once whatever got
    no answer, with its own key, as a careful client would."""
    plan = PaymentPlan(paying, options["repeat_share"], random.Random(options["seed"]))
    sends: list[tuple[str, int, bool, Sent]] = []

    async def request(_: int, one: Sent) -> None:
        key, index, repeated = plan.next_key()
        sends.append((key, index, repeated, one))
        payer, target = paying[index]
        one.status, one.answer = await pay_once(http, payer, target, key)

    cpu = time.process_time()
    sent, wall = await open_loop(options["pay_rate"], options["pay_seconds"], request)
    result = figures(sent, wall, {201}, time.process_time() - cpu)

    retried = 0
    for key, index, _, one in sends:
        if one.status in (0, 500, 502, 503):
            payer, target = paying[index]
            one.status, one.answer = await pay_once(http, payer, target, key)
            retried += 1
    result["retried"] = retried
    result["sends"] = [
        {
            "key": key,
            "account_id": paying[index][0].account_id,
            "currency": paying[index][1]["currency"],
            "amount": paying[index][1]["amount"],
            "repeated": repeated,
            "status": one.status,
            "payment_id": one.answer.get("payment_id")
            if isinstance(one.answer, dict)
            else None,
        }
        for key, index, repeated, one in sends
    ]
    return result


# The whole run --------------------------------------------------------------


async def drive(options: Result, report: Callable[[str], None]) -> Result:
    """Sign in, store cards, then run each phase; the figures of each."""
    results: Result = {"phases": {}}
    async with client(options["base_url"]) as http:
        started = time.perf_counter()
        readers = await bounded(
            SIGN_IN_AT_ONCE,
            [
                lambda a=account_id, link=link: sign_in(http, a, link)
                for account_id, link in options["reader_links"]
            ],
        )
        targets = options["targets"]
        payers = await bounded(
            SIGN_IN_AT_ONCE,
            [
                lambda t=target: sign_in(http, t["account_id"], t["link"])
                for target in targets
            ],
        )
        results["sign_in_seconds"] = time.perf_counter() - started
        report(f"signed in {len(readers) + len(payers):,} payers")

        started = time.perf_counter()
        stored = await bounded(
            SETUP_AT_ONCE,
            [
                lambda p=payer, t=target: store_card(http, p, t)
                for payer, target in zip(payers, targets, strict=True)
            ],
        )
        results["setup_seconds"] = time.perf_counter() - started
        results["setup_payments"] = [s["payment_id"] for s in stored]
        report(f"stored a card for {len(stored):,} payers")

        results["serial"] = {}
        for name, path in options["reads"]:
            report(f"{name}: one at a time, then {options['rate']:g}/s")
            results["serial"][name] = await one_at_a_time(
                http, readers, path, options["serial"]
            )
            results["phases"][name] = await read_phase(http, readers, path, options)

        paying = [
            (payer, {**target, **s})
            for payer, target, s in zip(payers, targets, stored, strict=True)
        ]
        report(f"payments: {options['pay_rate']:g}/s for {options['pay_seconds']:g} s")
        results["payments"] = await payment_phase(http, paying, options)
    return results


def run(options: Result, report: Callable[[str], None]) -> Result:
    """The second process: drive the load and return the figures."""
    return asyncio.run(drive(options, report))
