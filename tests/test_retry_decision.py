"""The retry decision as a pure function, and the transport's loop over an injected clock.

The first part needs no server: each case is one failed attempt and the answer. The second
drives real HTTP against FakeK6Cloud with a sleep that only advances a fake clock, so that
waits of many seconds are checked exactly and take no real time.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import k6cloud_async as k6
from k6cloud_async._config import ClientConfig
from k6cloud_async._constants import DEFAULT_TIMEOUT
from k6cloud_async._requestor import Requestor
from k6cloud_async._retry import Decision, Failure, Replay, RetryBudget, decide_retry
from k6cloud_async._transport import CallOptions, Transport
from k6cloud_async.testing import FakeK6Cloud, Fault

POLICY = k6.RetryPolicy(backoff_base=1.0, backoff_cap=8.0)


def _decide(failure: Failure, **kwargs: Any) -> Decision:
    arguments: dict[str, Any] = {
        "attempt": 1,
        "max_retries": 2,
        "replay": Replay.IDEMPOTENT,
        "policy": POLICY,
        "budget": RetryBudget(POLICY),
        "rng": random.Random(7),
    }
    arguments.update(kwargs)
    return decide_retry(failure, **arguments)


# -- the decision ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_a_transient_status_is_retried_after_a_jittered_backoff(status: int) -> None:
    decision = _decide(Failure(status=status), attempt=3, max_retries=5)
    assert decision.retry
    assert decision.wait is not None
    assert 0 <= decision.wait <= 4.0  # full jitter under base * 2 ** (3 - 1)
    assert decision.reason is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 406, 409, 422])
def test_a_status_a_retry_cannot_fix_gives_up_without_a_reason(status: int) -> None:
    assert _decide(Failure(status=status)) == Decision(None)


def test_the_backoff_never_exceeds_its_cap() -> None:
    waits = [_decide(Failure(status=503), attempt=40, max_retries=50).wait for _ in range(50)]
    assert all(wait is not None and 0 <= wait <= POLICY.backoff_cap for wait in waits)


def test_retry_after_wins_over_a_shorter_backoff() -> None:
    assert _decide(Failure(status=429, retry_after=30.0)).wait == 30.0


def test_a_retry_after_above_the_cap_gives_up_and_says_so() -> None:
    decision = _decide(Failure(status=503, retry_after=61.0))
    assert not decision.retry
    assert decision.reason is not None
    assert "61s" in decision.reason
    assert "max_retry_after (60s)" in decision.reason


def test_the_last_allowed_attempt_is_not_followed_by_another() -> None:
    assert _decide(Failure(status=503), attempt=2, max_retries=2).retry
    assert _decide(Failure(status=503), attempt=3, max_retries=2) == Decision(None)
    assert _decide(Failure(status=503), attempt=1, max_retries=0) == Decision(None)


def test_a_permanent_transport_failure_gives_up() -> None:
    assert _decide(Failure(permanent=True)) == Decision(None)
    assert _decide(Failure()).retry


class TestUnprocessedOnly:
    def test_a_request_that_never_left_is_retried(self) -> None:
        assert _decide(Failure(sent=False), replay=Replay.UNPROCESSED_ONLY).retry

    def test_a_429_is_retried_the_request_was_refused(self) -> None:
        assert _decide(Failure(status=429), replay=Replay.UNPROCESSED_ONLY).retry

    @pytest.mark.parametrize("failure", [Failure(status=503), Failure(after_timeout=True)])
    def test_a_request_that_may_have_been_processed_is_not(self, failure: Failure) -> None:
        decision = _decide(failure, replay=Replay.UNPROCESSED_ONLY)
        assert not decision.retry
        assert decision.reason is not None
        assert "look it up by name" in decision.reason

    def test_the_idempotency_key_rule_retries_a_processed_request(self) -> None:
        assert _decide(Failure(status=503), replay=Replay.IDEMPOTENCY_KEY).retry


def test_a_body_that_cannot_be_sent_again_gives_up_with_its_reason() -> None:
    decision = _decide(Failure(status=503), not_replayable="the script stream was consumed")
    assert decision == Decision(None, "not retried: the script stream was consumed")


class TestBudget:
    def test_a_retry_takes_its_cost_and_a_timeout_costs_more(self) -> None:
        budget = RetryBudget(POLICY)
        assert _decide(Failure(status=503), budget=budget).retry
        assert budget.tokens == POLICY.budget_capacity - POLICY.retry_cost
        assert _decide(Failure(after_timeout=True), budget=budget).retry
        spent = POLICY.retry_cost + POLICY.timeout_retry_cost
        assert budget.tokens == POLICY.budget_capacity - spent

    def test_a_spent_budget_gives_up_and_says_so(self) -> None:
        policy = k6.RetryPolicy(budget_capacity=4, retry_cost=5)
        decision = _decide(Failure(status=503), policy=policy, budget=RetryBudget(policy))
        assert decision == Decision(None, "not retried: the client's retry budget is spent")

    def test_giving_up_takes_no_tokens(self) -> None:
        budget = RetryBudget(POLICY)
        _decide(Failure(status=503, retry_after=5.0), budget=budget, now=10.0, deadline=12.0)
        _decide(Failure(status=503), budget=budget, not_replayable="one-shot")
        _decide(Failure(status=503), budget=budget, attempt=3)
        assert budget.tokens == POLICY.budget_capacity


def test_a_wait_that_would_pass_the_deadline_gives_up_and_says_so() -> None:
    failure = Failure(status=503, retry_after=5.0)
    assert _decide(failure, now=100.0, deadline=105.5).wait == 5.0
    decision = _decide(failure, now=100.0, deadline=105.0)
    assert decision == Decision(None, "not retried: the call's deadline would pass")


def test_the_same_seed_gives_the_same_waits() -> None:
    first = [_decide(Failure(status=500), rng=random.Random(3)).wait for _ in range(3)]
    again = [_decide(Failure(status=500), rng=random.Random(3)).wait for _ in range(3)]
    assert first == again


# -- the loop, over an injected sleep and clock ------------------------------------------


class FakeTime:
    """A clock that only moves when the transport sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def _client_over(
    fake: FakeK6Cloud, fake_time: FakeTime, policy: k6.RetryPolicy, max_retries: int
) -> tuple[k6.K6CloudClient, Transport]:
    config = ClientConfig.resolve(
        token=fake.token,
        stack_id=fake.stack_id,
        base_url=fake.base_url,
        user_agent=None,
        allow_insecure_http=False,
    )
    transport = Transport(
        config,
        policy=policy,
        max_connections=4,
        session=None,
        ssl=None,
        proxy=None,
        trust_env=False,
        trace_configs=None,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
    )
    defaults = CallOptions(timeout=DEFAULT_TIMEOUT, max_retries=max_retries, policy=policy)
    return k6.K6CloudClient._over(Requestor(transport, config, defaults)), transport


@pytest.fixture
async def test_id(fake: FakeK6Cloud, project: int) -> int:
    return fake.add_test(project, "waited").id


async def test_the_transport_sleeps_what_the_api_asked_for(
    fake: FakeK6Cloud, fake_time: FakeTime, test_id: int
) -> None:
    path = f"/cloud/v6/load_tests/{test_id}"
    fake.inject(Fault.status(503, retry_after=30), method="GET", path=path, times=2)
    client, transport = _client_over(fake, fake_time, k6.RetryPolicy(backoff_cap=1), 2)
    try:
        test = await client.load_tests.get(test_id)
    finally:
        await transport.close()

    assert test.id == test_id
    assert fake_time.sleeps == [30.0, 30.0]


async def test_the_deadline_is_read_on_the_injected_clock(
    fake: FakeK6Cloud, fake_time: FakeTime, test_id: int
) -> None:
    path = f"/cloud/v6/load_tests/{test_id}"
    fake.inject(Fault.status(503, retry_after=20), method="GET", path=path, times=None)
    policy = k6.RetryPolicy(backoff_cap=1, deadline=50)
    client, transport = _client_over(fake, fake_time, policy, 10)
    try:
        with pytest.raises(k6.ServerError) as caught:
            await client.load_tests.get(test_id)
    finally:
        await transport.close()

    # Attempts at 0 s, 20 s and 40 s; a fourth at 60 s would pass the 50 s deadline.
    assert fake_time.sleeps == [20.0, 20.0]
    assert caught.value.attempts == 3
    assert caught.value.hint == "not retried: the call's deadline would pass"
