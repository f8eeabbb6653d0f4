"""One client, one workload, in a fresh process: ``python -m benchmarks.runners``.

``python -m benchmarks.runners CLIENT WORKLOAD --base-url URL [--params JSON]
[--no-fast-extra] [--profile PATH] [--cpu N]`` warms up, then measures the workload with
``resource.getrusage(RUSAGE_SELF)`` (user + system CPU of every thread of the process) and
``time.perf_counter`` (wall), and prints one JSON object on stdout with ``cpu_s``,
``wall_s``, ``maxrss_kib`` (the process's peak RSS, ``ru_maxrss``) and the workload's own
figures.

CLIENT is ``k6cloud_async``, ``aiohttp`` or ``httpx``; only that client is imported. The
``decode`` workload needs no server and no CLIENT (pass ``-``): it times the three ways to
decode one listing page in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import resource
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from ._proc import pin_to_cpu
from .payloads import API_ROOT, MIB

CLIENTS = ("k6cloud_async", "aiohttp", "httpx")
#: The test id of ``get``/``start``; script sizes are sent as the id (see ``server.py``).
TEST_ID = 1
TOKEN = "bench-token"
STACK_ID = 1
USER_AGENT = "k6cloud-bench/1"
CHUNK_SIZE = 256 * 1024  # the library's streaming chunk size
ACCEPT_SCRIPT = "application/x-tar, text/javascript"
HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "X-Stack-Id": str(STACK_ID),
    "User-Agent": USER_AGENT,
    "Accept": "application/json",
}


# -- the three clients, behind one small interface ----------------------------------------


class Client:
    """What a workload does through a client. ``consume`` is awaited once per page."""

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def get(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        raise NotImplementedError

    async def count_all(self, page_size: int) -> int:
        raise NotImplementedError

    async def pages(self, page_size: int, consume: Callable[[int], Awaitable[None]]) -> int:
        raise NotImplementedError

    async def download(self, size: int, target: Path) -> int:
        raise NotImplementedError

    async def download_iterating(self, size: int, target: Path) -> int:
        """The download read chunk by chunk by the caller (the raw clients only do that)."""
        return await self.download(size, target)

    async def upload(self, source: Path, size: int) -> None:
        raise NotImplementedError


class K6Client(Client):
    """``k6cloud_async.K6CloudClient`` with its defaults (max_retries included)."""

    def __init__(self, base_url: str) -> None:
        from k6cloud_async import K6CloudClient

        self.client = K6CloudClient(TOKEN, STACK_ID, base_url=base_url, user_agent=USER_AGENT)
        self.load_tests = self.client.load_tests

    async def __aexit__(self, *exc: object) -> None:
        await self.client.close()

    async def get(self) -> None:
        await self.load_tests.get(TEST_ID)

    async def start(self) -> None:
        await self.load_tests.start(TEST_ID)

    async def count_all(self, page_size: int) -> int:
        count = 0
        async for _ in self.load_tests.list(page_size=page_size):
            count += 1
        return count

    async def pages(self, page_size: int, consume: Callable[[int], Awaitable[None]]) -> int:
        count = 0
        async with contextlib.aclosing(self.load_tests.pages(page_size=page_size)) as pages:
            async for page in pages:
                count += len(page.items)
                await consume(len(page.items))
        return count

    async def download(self, size: int, target: Path) -> int:
        async with self.load_tests.download_script(size) as download:
            return await download.save(target)

    async def download_iterating(self, size: int, target: Path) -> int:
        """``async for`` over the download, written as the raw aiohttp peer writes."""
        async with self.load_tests.download_script(size) as download:
            with open(target, "wb") as file:  # noqa: ASYNC230 - as the aiohttp peer
                async for chunk in download:
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
                return file.tell()

    async def upload(self, source: Path, size: int) -> None:
        await self.load_tests.upload_script(TEST_ID, source)


class AiohttpClient(Client):
    """The floor: one ``aiohttp.ClientSession`` with the same headers, ``json.loads``."""

    def __init__(self, base_url: str) -> None:
        self.root = base_url.rstrip("/") + API_ROOT
        self.test_url = f"{self.root}/load_tests/{TEST_ID}"

    async def __aenter__(self) -> Client:
        import aiohttp

        self.session = aiohttp.ClientSession(headers=HEADERS)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.close()

    async def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        async with self.session.request(method, url, **kwargs) as response:
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {url}: {response.status}")
            return json.loads(body)

    async def get(self) -> None:
        await self._json("GET", self.test_url)

    async def start(self) -> None:
        key = {"K6-Idempotency-Key": new_key()}
        await self._json("POST", f"{self.test_url}/start", headers=key)

    async def pages(self, page_size: int, consume: Callable[[int], Awaitable[None]]) -> int:
        count = 0
        url: str | None = f"{self.root}/load_tests?$top={page_size}"
        while url is not None:
            body = await self._json("GET", url)
            count += len(body["value"])
            await consume(len(body["value"]))
            url = body.get("@nextLink")
        return count

    async def count_all(self, page_size: int) -> int:
        return await self.pages(page_size, _no_wait)

    async def download(self, size: int, target: Path) -> int:
        url = f"{self.root}/load_tests/{size}/script"
        async with self.session.get(url, headers={"Accept": ACCEPT_SCRIPT}) as response:
            if response.status != 200:
                raise RuntimeError(f"GET {url}: {response.status}")
            # The floor: chunks as they arrive, written, flushed and fsynced; no temporary
            # file, no rename, no length check (the library does all three on top).
            with open(target, "wb") as file:  # noqa: ASYNC230 - writes hit the page cache
                async for chunk in response.content.iter_any():
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
                return file.tell()

    async def upload(self, source: Path, size: int) -> None:
        url = f"{self.test_url}/script"
        headers = {"Content-Type": "application/octet-stream"}
        with open(source, "rb") as file:  # noqa: ASYNC230 - aiohttp reads it in a thread
            async with self.session.put(url, data=file, headers=headers) as response:
                await response.read()
                if response.status != 204:
                    raise RuntimeError(f"PUT {url}: {response.status}")


class HttpxClient(Client):
    """``httpx.AsyncClient`` with the same headers, ``response.json()``."""

    def __init__(self, base_url: str) -> None:
        self.root = base_url.rstrip("/") + API_ROOT
        self.test_url = f"{self.root}/load_tests/{TEST_ID}"

    async def __aenter__(self) -> Client:
        import httpx

        self.client = httpx.AsyncClient(headers=HEADERS, timeout=60.0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def get(self) -> None:
        response = await self.client.get(self.test_url)
        response.raise_for_status()
        response.json()

    async def start(self) -> None:
        response = await self.client.post(
            f"{self.test_url}/start", headers={"K6-Idempotency-Key": new_key()}
        )
        response.raise_for_status()
        response.json()

    async def pages(self, page_size: int, consume: Callable[[int], Awaitable[None]]) -> int:
        count = 0
        url: str | None = f"{self.root}/load_tests?$top={page_size}"
        while url is not None:
            response = await self.client.get(url)
            response.raise_for_status()
            body = response.json()
            count += len(body["value"])
            await consume(len(body["value"]))
            url = body.get("@nextLink")
        return count

    async def count_all(self, page_size: int) -> int:
        return await self.pages(page_size, _no_wait)

    async def download(self, size: int, target: Path) -> int:
        url = f"{self.root}/load_tests/{size}/script"
        async with self.client.stream("GET", url, headers={"Accept": ACCEPT_SCRIPT}) as response:
            response.raise_for_status()
            with open(target, "wb") as file:  # noqa: ASYNC230 - as the aiohttp peer
                async for chunk in response.aiter_bytes():
                    file.write(chunk)
                file.flush()
                os.fsync(file.fileno())
                return file.tell()

    async def upload(self, source: Path, size: int) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            with open(source, "rb") as file:  # noqa: ASYNC230 - as a plain generator would
                while chunk := file.read(CHUNK_SIZE):
                    yield chunk

        headers = {
            "Content-Type": "application/octet-stream",
            "Content-Length": str(size),
        }
        response = await self.client.put(
            f"{self.test_url}/script", content=chunks(), headers=headers
        )
        response.raise_for_status()


def new_key() -> str:
    import uuid

    return str(uuid.uuid4())


async def _no_wait(_: int) -> None:
    return None


def make_client(name: str, base_url: str) -> Client:
    if name == "k6cloud_async":
        return K6Client(base_url)
    if name == "aiohttp":
        return AiohttpClient(base_url)
    if name == "httpx":
        return HttpxClient(base_url)
    raise ValueError(f"unknown client {name!r}")


# -- the workloads: (warm-up, measured run) -----------------------------------------------


async def _gets(client: Client, calls: int, in_flight: int) -> None:
    if in_flight == 1:
        for _ in range(calls):
            await client.get()
        return
    calls_left = iter(range(calls))  # shared: each worker takes the next call

    async def worker() -> None:
        for _ in calls_left:
            await client.get()

    await asyncio.gather(*(worker() for _ in range(in_flight)))


async def warm_get(client: Client, p: dict[str, Any]) -> None:
    in_flight = p.get("in_flight", 1)
    await _gets(client, max(50, 2 * in_flight), in_flight)


#: Per-call workloads run their calls in this many equal blocks; each block's CPU and wall
#: time is reported, and the report takes a process's best block (on a shared machine a
#: neighbour only ever adds time: one block of 500 sequential gets ranged from 188 to 242 µs
#: a call within one process, the code unchanged).
BLOCKS = 4


async def _in_blocks(calls: int, block: Callable[[int], Awaitable[None]]) -> dict[str, Any]:
    size = max(1, calls // BLOCKS)
    cpu_s, wall_s = [], []
    for _ in range(BLOCKS):
        cpu0, wall0 = _cpu(), time.perf_counter()
        await block(size)
        wall_s.append(time.perf_counter() - wall0)
        cpu_s.append(_cpu() - cpu0)
    return {"ops": size * BLOCKS, "block_ops": size, "block_cpu_s": cpu_s, "block_wall_s": wall_s}


async def run_get(client: Client, p: dict[str, Any]) -> dict[str, Any]:
    in_flight = p.get("in_flight", 1)
    return await _in_blocks(p["calls"], lambda calls: _gets(client, calls, in_flight))


async def warm_start(client: Client, p: dict[str, Any]) -> None:
    for _ in range(50):
        await client.start()


async def run_start(client: Client, p: dict[str, Any]) -> dict[str, Any]:
    async def starts(calls: int) -> None:
        for _ in range(calls):
            await client.start()

    return await _in_blocks(p["calls"], starts)


async def warm_list(client: Client, p: dict[str, Any]) -> None:
    # Connection, code paths and decoders warm: a few gets and one small listing page.
    for _ in range(20):
        await client.get()
    await _first_page(client, p["page_size"])


async def _first_page(client: Client, page_size: int) -> None:
    class _Stop(Exception):
        pass

    async def stop(_: int) -> None:
        raise _Stop

    with contextlib.suppress(_Stop):
        await client.pages(page_size, stop)


async def run_list(client: Client, p: dict[str, Any]) -> dict[str, Any]:
    count = await client.count_all(p["page_size"])
    if count != p["expect"]:
        raise RuntimeError(f"listed {count} tests, expected {p['expect']}")
    return {"ops": count}


async def warm_readahead(client: Client, p: dict[str, Any]) -> None:
    for _ in range(5):
        await client.get()


async def run_readahead(client: Client, p: dict[str, Any]) -> dict[str, Any]:
    delay = p["consumer_ms"] / 1000
    pages = 0

    async def consume(_: int) -> None:  # the caller's work on each page
        nonlocal pages
        pages += 1
        await asyncio.sleep(delay)

    count = await client.pages(p["page_size"], consume)
    if count != p["expect"]:
        raise RuntimeError(f"listed {count} tests, expected {p['expect']}")
    return {"ops": pages, "items": count}


def _downloader(client: Client, p: dict[str, Any]) -> Callable[[int, Path], Awaitable[int]]:
    return client.download_iterating if p.get("via") == "iterate" else client.download


async def warm_download(client: Client, p: dict[str, Any]) -> None:
    # One untimed download of the full size: the first large file write of a fresh process
    # runs up to 2.5x slower than the next on some VMs, whatever the client does.
    target = Path(p["dir"]) / f"warm-{os.getpid()}.tar"
    try:
        await _downloader(client, p)(p["size"], target)
    finally:
        target.unlink(missing_ok=True)


async def run_download(client: Client, p: dict[str, Any]) -> dict[str, Any]:
    size, rounds = p["size"], p.get("rounds", 1)
    target = Path(p["dir"]) / f"download-{os.getpid()}.tar"
    try:
        for _ in range(rounds):
            received = await _downloader(client, p)(size, target)
            if received != size or target.stat().st_size != size:
                raise RuntimeError(f"downloaded {received} bytes, expected {size}")
    finally:
        target.unlink(missing_ok=True)
    return {"ops": rounds, "bytes": size * rounds}


async def warm_upload(client: Client, p: dict[str, Any]) -> None:
    await client.upload(Path(p["warm_source"]), MIB)


async def run_upload(client: Client, p: dict[str, Any]) -> dict[str, Any]:
    rounds = p.get("rounds", 1)
    for _ in range(rounds):
        await client.upload(Path(p["source"]), p["size"])
    return {"ops": rounds, "bytes": p["size"] * rounds}


Warm = Callable[[Client, dict[str, Any]], Awaitable[None]]
Run = Callable[[Client, dict[str, Any]], Awaitable[dict[str, Any]]]
WORKLOADS: dict[str, tuple[Warm, Run]] = {
    "get": (warm_get, run_get),
    "start": (warm_start, run_start),
    "list": (warm_list, run_list),
    "readahead": (warm_readahead, run_readahead),
    "download": (warm_download, run_download),
    "upload": (warm_upload, run_upload),
}


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _maxrss_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


async def measure(
    client_name: str, workload: str, base_url: str, params: dict[str, Any], profile: str | None
) -> dict[str, Any]:
    warm, run = WORKLOADS[workload]
    async with make_client(client_name, base_url) as client:
        await warm(client, params)
        gc.collect()
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
        cpu0, wall0 = _cpu(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        extra = await run(client, params)
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
    if profiler is not None and profile:
        profiler.dump_stats(profile)
    return {"cpu_s": cpu, "wall_s": wall, "maxrss_kib": _maxrss_kib(), **extra}


# -- decode: in this process, best of N -----------------------------------------------------


def run_decode(params: dict[str, Any], profile: str | None) -> dict[str, Any]:
    """Best-of-N seconds to turn one 1,000-item page (bytes) into objects: the library
    (bytes → ``Page[LoadTest]``), the standard library's ``json.loads`` to dicts (the
    baseline), the library's own parser alone, and pydantic."""
    from pydantic import TypeAdapter

    from k6cloud_async import LoadTest, _json
    from k6cloud_async._handlers import JsonPage

    from .models import ListResponseModel
    from .payloads import page

    body = page(0, params["items"], 100_000, "http://127.0.0.1:8080")
    loads = _json.loads
    adapter = TypeAdapter(ListResponseModel)

    listing_page = JsonPage(LoadTest, len(body))

    def library() -> Any:  # what the listing handler does with the bytes it read
        return listing_page.decode(body)

    def stdlib_json() -> object:
        return json.loads(body)

    def parse_only() -> object:
        return loads(body)

    def pydantic() -> Any:
        return adapter.validate_json(body)

    # The three must agree on the content before they are timed.
    decoded, validated = library(), pydantic()
    if [t.id for t in decoded.items] != [t.id for t in validated.value]:
        raise RuntimeError("k6cloud_async and pydantic decoded different pages")

    rounds = params["rounds"]
    best: dict[str, float] = {}
    contenders = (
        ("k6cloud_async", library),
        ("json", stdlib_json),
        ("loads", parse_only),
        ("pydantic", pydantic),
    )
    for name, func in contenders:
        for _ in range(5):
            func()
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            func()
            times.append(time.perf_counter() - t0)
        best[name] = min(times)
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(rounds):
            library()
        profiler.disable()
        profiler.dump_stats(profile)
    return {
        "best_s": best,
        "fast_json": _json.FAST_JSON,
        "body_bytes": len(body),
        "maxrss_kib": _maxrss_kib(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.runners", description=__doc__)
    parser.add_argument("client", choices=[*CLIENTS, "-"])
    parser.add_argument("workload", choices=[*WORKLOADS, "decode"])
    parser.add_argument("--base-url", default="")
    parser.add_argument("--params", default="{}", help="the workload's parameters (JSON)")
    parser.add_argument(
        "--no-fast-extra",
        action="store_true",
        help="decode as without the fast extra: the stdlib json path, no orjson or msgspec",
    )
    parser.add_argument("--profile", default=None, help="write cProfile stats of the run here")
    parser.add_argument("--cpu", type=int, default=None, help="pin to this CPU")
    args = parser.parse_args(argv)
    pin_to_cpu(args.cpu)
    if args.no_fast_extra:
        for module in ("orjson", "msgspec"):
            sys.modules[module] = None  # type: ignore[assignment]  # ImportError on import
    params = json.loads(args.params)
    if args.workload == "decode":
        result = run_decode(params, args.profile)
    else:
        if args.client == "-":
            parser.error(f"{args.workload} needs a client")
        result = asyncio.run(
            measure(args.client, args.workload, args.base_url, params, args.profile)
        )
    print(json.dumps({"client": args.client, "workload": args.workload, **result}), flush=True)


if __name__ == "__main__":
    main()
