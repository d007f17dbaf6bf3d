"""Flow-control rules on an explicit clock: what is retried, how long to wait, when to stop."""

import pytest

from distill.llm.flow_control import (
    CircuitBreaker,
    EndpointDown,
    Outcome,
    RateLimiter,
    RetryPolicy,
    TokenBucket,
    classify,
    is_endpoint_failure,
    retry_after_s,
)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (None, Outcome.RETRY),  # reset, timeout, truncated body
        (408, Outcome.RETRY),
        (409, Outcome.RETRY),
        (429, Outcome.RETRY),
        (500, Outcome.RETRY),
        (503, Outcome.RETRY),
        (400, Outcome.FAIL),
        (413, Outcome.FAIL),
        (422, Outcome.FAIL),
        (401, Outcome.FATAL),
        (403, Outcome.FATAL),
        (404, Outcome.FATAL),
    ],
)
def test_which_failures_are_retried(status, outcome):
    assert classify(status) is outcome


def test_only_transport_failures_and_5xx_count_against_the_endpoint():
    assert is_endpoint_failure(None) and is_endpoint_failure(502)
    assert not is_endpoint_failure(429) and not is_endpoint_failure(400)


def test_retry_after_in_seconds_milliseconds_or_a_date():
    assert retry_after_s({"retry-after": "7"}) == 7.0
    assert retry_after_s({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_s({"retry-after": "Wed, 25 Nov 2026 10:00:30 GMT"}, now_epoch=1795600800.0) == 30.0
    assert retry_after_s({"retry-after": "soon"}) is None and retry_after_s({}) is None


def test_backoff_grows_exponentially_with_jitter_and_honours_retry_after():
    policy = RetryPolicy(base_s=1.0, max_backoff_s=30.0, max_retry_after_s=120.0)
    assert [policy.delay(a, None, rng=lambda: 0.0) for a in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert [policy.delay(a, None, rng=lambda: 1.0) for a in (1, 2, 3)] == [1.0, 2.0, 4.0]
    assert policy.delay(10, None, rng=lambda: 1.0) == 30.0  # capped
    assert policy.delay(1, 20.0, rng=lambda: 0.0) == 20.0  # the server's word, not the backoff
    assert policy.delay(1, 1e6, rng=lambda: 0.0) == 120.0


def test_token_bucket_spreads_a_burst_over_the_minute():
    bucket = TokenBucket(per_minute=60)  # one per second, a minute's worth of burst
    assert [bucket.reserve(1, now=0.0) for _ in range(60)] == [0.0] * 60
    assert bucket.reserve(1, now=0.0) == pytest.approx(1.0)
    assert bucket.reserve(1, now=0.0) == pytest.approx(2.0)  # reservations queue up
    assert bucket.reserve(1, now=10.0) == 0.0  # refilled meanwhile


def test_rate_limiter_counts_requests_and_tokens_and_pauses_on_429():
    limiter = RateLimiter(requests_per_minute=600, tokens_per_minute=6000)
    assert limiter.delay(6000, now=0.0) == 0.0
    assert limiter.delay(600, now=0.0) == pytest.approx(6.0)  # tokens are the binding limit
    limiter.charge(-600, now=0.0)  # the request used fewer tokens than estimated
    assert limiter.delay(0, now=0.0) == 0.0
    limiter.pause(30.0, now=1.0)
    assert limiter.delay(0, now=2.0) == pytest.approx(29.0)
    assert RateLimiter().delay(10**9, now=0.0) == 0.0  # no limits configured


def test_breaker_opens_lets_one_probe_through_per_cooldown_and_closes_on_success():
    breaker = CircuitBreaker(threshold=3, cooldown_s=10.0, give_up_s=100.0)
    for t in (0.0, 0.1):
        breaker.record_failure(t, "APIConnectionError")
    assert breaker.delay(0.2) == 0.0  # two failures: still closed
    breaker.record_failure(0.2, "APIConnectionError")
    assert breaker.delay(1.0) == pytest.approx(9.2)  # open: wait for the cooldown
    assert breaker.delay(10.2) == 0.0  # the probe
    assert breaker.delay(10.3) == pytest.approx(9.9)  # the others wait for the next probe slot
    breaker.record_success()
    assert breaker.delay(10.4) == 0.0 and not breaker.is_open


def test_breaker_gives_up_when_the_endpoint_stays_down():
    breaker = CircuitBreaker(threshold=2, cooldown_s=1.0, give_up_s=30.0)
    breaker.record_failure(0.0, "APIConnectionError: Connection error.")
    breaker.record_failure(0.5, "APIConnectionError: Connection error.")
    breaker.delay(5.0)
    with pytest.raises(EndpointDown, match="failed every call for 30s.*Connection error"):
        breaker.delay(30.0)


def test_a_success_between_failures_keeps_the_breaker_closed():
    breaker = CircuitBreaker(threshold=3, cooldown_s=1.0, give_up_s=5.0)
    for t in range(100):
        breaker.record_failure(float(t), "InternalServerError")
        breaker.record_failure(t + 0.5, "InternalServerError")
        breaker.record_success()
    assert breaker.delay(100.0) == 0.0
