"""Sliding-window rate limits."""

from adapters.portal.ratelimit import RateLimit


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_hits_beyond_the_limit_within_the_window_are_refused():
    limit = RateLimit(2, 60, Clock())

    assert [limit.allow("ip") for _ in range(3)] == [True, True, False]


def test_hits_are_allowed_again_once_the_window_has_passed():
    clock = Clock()
    limit = RateLimit(1, 60, clock)
    limit.allow("ip")
    clock.now = 61

    assert limit.allow("ip")


def test_each_key_has_its_own_count():
    limit = RateLimit(1, 60, Clock())
    limit.allow("a")

    assert limit.allow("b")
