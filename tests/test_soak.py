"""A bounded soak: thousands of mixed operations, 64 at a time, while ~5% of requests fail.

Afterwards the fake's state must agree with every outcome the client reported: no lost
operation, no duplicate run, no rename or upload applied out of turn. Run with ``-s`` to see
the figures.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault, InjectedFault

OPERATIONS = 5_000
CONCURRENCY = 64
TESTS = 40
PAGE_SIZE = 10
FAULT_EVERY = 14  # one fault injected per this many operations: ~5% of the requests
SEED = 20250106
LATENCY = 0.005
PERSISTENT_EVERY = 20 * FAULT_EVERY  # every so often, a fault outlasting the retries…
PERSISTENT_TIMES = 6  # …(max_retries is 2; aiohttp itself re-sends a GET/PUT after a reset)
MIX = {"get": 35, "list": 10, "update": 20, "upload": 20, "start": 15}

FAULTS: dict[str, list[Fault]] = {
    "get": [
        Fault.status(503),
        Fault.html_502(),
        Fault.reset(),
        Fault.truncated_body(),
        Fault.after_processing(Fault.reset()),
        Fault.status(429, retry_after=0),
        Fault.status(500),
        Fault.status(504),
    ],
    "list": [Fault.status(503), Fault.reset(), Fault.truncated_body(), Fault.html_502()],
    "update": [
        Fault.status(503),
        Fault.reset(),
        Fault.after_processing(Fault.reset()),
        Fault.after_processing(Fault.status(503)),
    ],
    "upload": [Fault.status(502), Fault.reset(), Fault.after_processing(Fault.reset())],
    "start": [
        Fault.status(503),
        Fault.reset(),
        Fault.after_processing(Fault.reset()),
        Fault.after_processing(Fault.status(503)),
        Fault.truncated_body(),
    ],
}
# Fault kinds after which the request was handled (the fake's state changed).
PROCESSED = {None, "after_processing", "truncated_body", "stall", "foreign_next_link"}


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.INFO and record.getMessage().startswith("retrying"):
            self.retries += 1


def _connections_in_use(client: k6.K6CloudClient) -> int:
    connector = client._transport.session().connector
    assert connector is not None
    return len(connector._acquired)  # no public count in aiohttp


def _acceptable(history: list[tuple[Any, bool]], initial: Any) -> set[Any]:
    """What the fake may hold after a sequence of (value, succeeded) writes applied in order:
    the last confirmed value, or any value written after it whose outcome is unknown."""
    allowed = {initial}
    for value, succeeded in history:
        allowed = {value} if succeeded else allowed | {value}
    return allowed


async def test_soak_mixed_operations_under_transient_faults(fake: FakeK6Cloud) -> None:
    rng = random.Random(SEED)
    project = fake.add_project("soak")
    tests = [fake.add_test(project, f"soak-{n}") for n in range(TESTS)]
    ids = [t.id for t in tests]
    names: dict[int, list[tuple[str, bool]]] = {i: [] for i in ids}
    scripts: dict[int, list[tuple[bytes, bool]]] = {i: [] for i in ids}
    initial_scripts = {i: fake.script_of(i) for i in ids}
    confirmed_runs: list[tuple[int, int]] = []  # (test id, run id) of each successful start
    unknown_starts: list[str | None] = []  # the idempotency key of each failed start
    locks = {i: asyncio.Lock() for i in ids}
    semaphore = asyncio.Semaphore(CONCURRENCY)
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=OPERATIONS)
    targets = [rng.choice(ids) for _ in range(OPERATIONS)]
    fault_cycle = collections.Counter[str]()
    rules: list[InjectedFault] = []
    counter = _Counter()
    logger = logging.getLogger("k6cloud_async")
    previous_level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(counter)

    policy = k6.RetryPolicy(backoff_base=0.001, backoff_cap=0.005)
    client = k6.K6CloudClient(
        fake.token, fake.stack_id, base_url=fake.base_url, retry_policy=policy
    )

    # Requests one clean listing takes, to tell retries from extra pages.
    fake.reset_requests()
    listed = [t.id async for t in client.load_tests.list(page_size=PAGE_SIZE, order_by="id")]
    assert listed == sorted(ids)
    pages_per_listing = len(fake.requests)
    fake.reset_requests()
    fake.latency = LATENCY  # keep requests in flight long enough to overlap

    def inject(index: int, kind: str, method: str, path: str) -> None:
        if index % FAULT_EVERY:
            return
        choices = FAULTS[kind]
        fault = choices[fault_cycle[kind] % len(choices)]
        fault_cycle[kind] += 1
        # Now and then more faults in a row than the client retries: an unknown outcome.
        times = PERSISTENT_TIMES if index % PERSISTENT_EVERY == 0 else 1
        rules.append(fake.inject(fault, method=method, path=path, times=times))

    async def operate(index: int) -> Any:
        kind, test_id = kinds[index], targets[index]
        test_path = f"/cloud/v6/load_tests/{test_id}"
        async with semaphore:
            if kind == "get":
                inject(index, kind, "GET", test_path)
                test = await client.load_tests.get(test_id)
                assert test.id == test_id
                return test
            if kind == "list":
                inject(index, kind, "GET", "/cloud/v6/load_tests")
                found = [
                    t.id async for t in client.load_tests.list(page_size=PAGE_SIZE, order_by="id")
                ]
                assert found == sorted(ids)
                return found
            if kind == "start":
                inject(index, kind, "POST", f"{test_path}/start")
                try:
                    run = await client.load_tests.start(test_id)  # the client picks the key
                except k6.K6CloudError as exc:
                    unknown_starts.append(exc.idempotency_key)
                    raise
                confirmed_runs.append((test_id, run.id))
                return run
            async with locks[test_id]:  # writes to one test go one at a time
                if kind == "update":
                    name = f"soak-{test_id}-op{index}"
                    inject(index, kind, "PATCH", test_path)
                    try:
                        await client.load_tests.update(test_id, name=name)
                    except BaseException:
                        names[test_id].append((name, False))
                        raise
                    names[test_id].append((name, True))
                    return name
                body = f"// op {index}\nexport default function () {{}}\n".encode()
                if index % 97 == 0:
                    body += b"// padding\n" * 30_000  # a few multi-chunk bodies
                inject(index, kind, "PUT", f"{test_path}/script")
                try:
                    await client.load_tests.upload_script(test_id, body)
                except BaseException:
                    scripts[test_id].append((body, False))
                    raise
                scripts[test_id].append((body, True))
                return body

    began = time.monotonic()
    try:
        results = await asyncio.gather(
            *(operate(i) for i in range(OPERATIONS)), return_exceptions=True
        )
        elapsed = time.monotonic() - began
        await _settle(lambda: fake.in_flight == 0)
        in_use = _connections_in_use(client)
    finally:
        await client.close()
        logger.removeHandler(counter)
        logger.setLevel(previous_level)

    # -- figures ---------------------------------------------------------------------------
    succeeded = sum(1 for r in results if not isinstance(r, BaseException))
    failed = collections.Counter(
        type(r).__name__ for r in results if isinstance(r, k6.K6CloudError)
    )
    lost = [
        r for r in results if isinstance(r, BaseException) and not isinstance(r, k6.K6CloudError)
    ]
    requests = fake.requests
    list_ops = kinds.count("list")
    base_requests = OPERATIONS - list_ops + list_ops * pages_per_listing
    start_requests = [r for r in requests if r.method == "POST" and r.path.endswith("/start")]
    processed_keys = {
        r.headers["K6-Idempotency-Key"]
        for r in start_requests
        if r.fault in PROCESSED and (r.status == 200 or r.fault == "after_processing")
    }
    sent_keys = {r.headers["K6-Idempotency-Key"] for r in start_requests}
    duplicate_runs = len(fake.runs) - len(processed_keys)
    faulted = sum(1 for r in requests if r.fault is not None)
    print(
        f"\nsoak: {OPERATIONS} operations in {elapsed:.1f} s, concurrency {CONCURRENCY} "
        f"(server max in flight {fake.max_in_flight})\n"
        f"  mix: {dict(collections.Counter(kinds))}\n"
        f"  succeeded: {succeeded}\n"
        f"  failed by error class: {dict(failed) or '{}'}\n"
        f"  requests: {len(requests)} (base {base_requests}); faults injected: "
        f"{fake.faults_injected} ({100 * faulted / len(requests):.1f}% of requests, "
        f"{sum(r.remaining or 0 for r in rules)} left unused)\n"
        f"  retries made: {len(requests) - base_requests} by request count, "
        f"{counter.retries} logged by the client\n"
        f"  starts: {kinds.count('start')} operations, {len(sent_keys)} keys sent, "
        f"{len(unknown_starts)} failed; runs: {len(fake.runs)} for "
        f"{len(processed_keys)} processed keys; "
        f"duplicate runs: {duplicate_runs}\n"
        f"  lost: {len(lost)}"
    )

    # -- every operation accounted for -----------------------------------------------------
    assert len(results) == OPERATIONS
    assert lost == [], lost[:3]
    assert succeeded + sum(failed.values()) == OPERATIONS
    assert fake.faults_injected == sum(rule.applied for rule in rules)
    assert 0.03 <= faulted / len(requests) <= 0.08
    assert succeeded >= OPERATIONS * 0.98  # transient faults are retried away
    assert fake.max_in_flight > CONCURRENCY // 2  # the operations did overlap

    # -- the fake agrees with every success ------------------------------------------------
    for test_id in ids:
        current = fake.get_test(test_id)
        assert current is not None
        assert current.name in _acceptable(names[test_id], f"soak-{ids.index(test_id)}")
        assert fake.script_of(test_id) in _acceptable(scripts[test_id], initial_scripts[test_id])

    # -- starts: one key per operation, one run per key -------------------------------------
    assert len(sent_keys) == kinds.count("start")  # the same key on every attempt
    assert all(key is not None and key in sent_keys for key in unknown_starts)
    assert duplicate_runs == 0
    runs = {run.id: run for run in fake.runs}
    assert len({run_id for _, run_id in confirmed_runs}) == len(confirmed_runs)
    for test_id, run_id in confirmed_runs:
        assert runs[run_id].test_id == test_id

    # -- nothing left behind ---------------------------------------------------------------
    assert fake.in_flight == 0
    assert in_use == 0


async def _settle(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)
