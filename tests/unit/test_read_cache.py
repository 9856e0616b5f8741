"""The portal's read cache: what it keeps, what it drops, and when."""

from adapters.portal.readcache import ReadCache


def counting():
    calls = []

    def compute():
        calls.append(1)
        return {"rows": [len(calls)]}

    return calls, compute


def test_a_second_read_of_the_same_key_is_answered_from_the_cache():
    cache = ReadCache()
    calls, compute = counting()

    first = cache.read("a", "overview", compute)
    second = cache.read("a", "overview", compute)

    assert (first, second, len(calls)) == ({"rows": [1]}, {"rows": [1]}, 1)
    assert (cache.hits, cache.misses) == (1, 1)


def test_changing_what_a_read_returned_changes_nothing_kept():
    cache = ReadCache()
    _, compute = counting()

    cache.read("a", "overview", compute)["rows"].append("changed")

    assert cache.read("a", "overview", compute) == {"rows": [1]}


def test_forgetting_an_account_drops_only_that_accounts_reads():
    cache = ReadCache()
    calls, compute = counting()
    cache.read("a", "overview", compute)
    cache.read("b", "overview", compute)

    cache.forget(frozenset({"a"}))

    assert cache.read("a", "overview", compute) == {"rows": [3]}
    assert cache.read("b", "overview", compute) == {"rows": [2]}


def test_forgetting_no_account_in_particular_drops_every_read():
    cache = ReadCache()
    calls, compute = counting()
    cache.read("a", "overview", compute)
    cache.read("b", "account", compute)

    cache.forget(None)

    cache.read("a", "overview", compute)
    cache.read("b", "account", compute)
    assert len(calls) == 4


def test_a_read_made_while_the_read_models_change_is_not_kept():
    cache = ReadCache()
    calls = []

    def racing():
        calls.append(1)
        if len(calls) == 1:
            cache.forget(frozenset({"other"}))
        return len(calls)

    assert cache.read("a", "overview", racing) == 1
    assert cache.read("a", "overview", racing) == 2
    assert cache.read("a", "overview", racing) == 2


def test_the_least_recently_read_account_is_dropped_when_full():
    cache = ReadCache(accounts=2)
    calls, compute = counting()
    cache.read("a", "k", compute)
    cache.read("b", "k", compute)
    cache.read("a", "k", compute)

    cache.read("c", "k", compute)

    assert cache.read("a", "k", compute) == {"rows": [1]}
    assert cache.read("b", "k", compute) == {"rows": [4]}


def test_a_cache_of_no_accounts_keeps_nothing():
    cache = ReadCache(accounts=0)
    calls, compute = counting()

    cache.read("a", "k", compute)
    cache.read("a", "k", compute)

    assert (len(calls), cache.hits, cache.hit_rate()) == (2, 0, 0.0)
