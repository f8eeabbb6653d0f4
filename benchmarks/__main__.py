"""``python -m benchmarks [--quick] [--only NAME...] [--json OUT] [--repeat N] [--profile]``.

Starts the canned server in its own process (pinned to CPU 1), runs every workload once per
client in a fresh process (pinned to CPU 0), and prints one table. Exits 1 when a run
failed; unmet targets are reported in the table, not in the exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from . import report
from ._proc import CLIENT_CPU, SERVER_CPU, can_pin, pinned
from .payloads import BLOCK_SIZE, MIB, script_block
from .runners import BLOCKS

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ("k6cloud_async", "aiohttp", "httpx")
WORKLOADS = (
    "get",
    "get64",
    "list",
    "download",
    "upload",
    "start",
    "decode",
    "startup",
    "readahead",
)
SERVER_START_TIMEOUT = 120.0


def settings(quick: bool) -> dict[str, Any]:
    """The sizes of every workload, quick or full."""
    return {
        "repeats": 1 if quick else 4,
        "get_calls": 300 if quick else 2000,
        "get64_calls": 1000 if quick else 5000,
        "in_flight": 64,
        "list_total": 20_000 if quick else 100_000,
        "page_size": 1000,
        "transfer_sizes": [32 * MIB] if quick else [256 * MIB],
        "start_calls": 300 if quick else 2000,
        "decode_rounds": 100 if quick else 500,
        "startup_processes": 5 if quick else 15,
        "readahead_pages": 50,
        "readahead_latency_ms": 20.0,
        "readahead_consumer_ms": 20.0,
        "runner_timeout": 120.0 if quick else 600.0,
    }


# -- processes --------------------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@contextlib.contextmanager
def server(workdir: Path, **options: float | int) -> Iterator[str]:
    """A benchmark server process; yields its base URL and always terminates it."""
    command = [sys.executable, "-m", "benchmarks.server"]
    for name, value in options.items():
        command += [f"--{name.replace('_', '-')}", str(value)]
    log_path = workdir / f"server-{time.monotonic_ns()}.log"
    with open(log_path, "w+b") as log:
        process = subprocess.Popen(
            pinned(command, SERVER_CPU),
            stdin=subprocess.PIPE,  # the server stops when this pipe closes
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=ROOT,
            env=_env(),
        )
        try:
            port = _read_port(process, log)
            yield f"http://127.0.0.1:{port}"
        finally:
            _stop(process)


def _read_port(process: subprocess.Popen[bytes], log: IO[bytes]) -> int:
    assert process.stdout is not None
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline().decode()
            if line.startswith("PORT "):
                return int(line.split()[1])
            if not line:
                break
        elif process.poll() is not None:
            break
    log.seek(0)
    raise RuntimeError(f"the benchmark server did not start:\n{log.read().decode()[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()


def run_runner(
    client: str,
    workload: str,
    params: dict[str, Any],
    *,
    base_url: str = "",
    timeout: float,
    no_fast_extra: bool = False,
    profile: str | None = None,
) -> dict[str, Any]:
    """One client process for one workload; its JSON result, or ``{"error": ...}``."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.runners",
        client,
        workload,
        "--base-url",
        base_url,
        "--params",
        json.dumps(params),
    ]
    if no_fast_extra:
        command.append("--no-fast-extra")
    if profile:
        command += ["--profile", profile]
    done = _run_pinned(command, timeout=timeout)
    if isinstance(done, dict):
        return done
    lines = done.stdout.decode().strip().splitlines()
    if done.returncode != 0 or not lines:
        return _exit_error(done)
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _run_pinned(
    command: list[str], *, timeout: float
) -> subprocess.CompletedProcess[bytes] | dict[str, Any]:
    """``command`` run to its end, pinned to the client CPU, or ``{"error": ...}`` when it
    takes longer than ``timeout`` seconds."""
    try:
        return subprocess.run(
            pinned(command, CLIENT_CPU),
            capture_output=True,
            timeout=timeout,
            cwd=ROOT,
            env=_env(),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:g} s"}


def _exit_error(done: subprocess.CompletedProcess[bytes]) -> dict[str, Any]:
    """``{"error": "exit N: …"}`` with the last lines of its stderr."""
    tail = done.stderr.decode().strip().splitlines()[-5:]
    return {"error": f"exit {done.returncode}: " + " / ".join(tail)}


def run_startup(params: dict[str, Any], *, timeout: float) -> dict[str, Any]:
    """``benchmarks.startup`` in its own process, pinned to the client CPU (its fresh
    interpreters inherit the pinning); its JSON figures, or ``{"error": ...}``."""
    command = [sys.executable, "-m", "benchmarks.startup", "--json", "--runs", str(params["runs"])]
    done = _run_pinned(command, timeout=timeout)
    if isinstance(done, dict):
        return done
    if done.returncode != 0:
        return _exit_error(done)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# -- the plan ---------------------------------------------------------------------------------


def cases(selected: list[str], s: dict[str, Any], workdir: Path) -> list[dict[str, Any]]:
    """Every measured case: its workload, parameters, clients and server."""
    plan: list[dict[str, Any]] = []
    for name in WORKLOADS:
        if name not in selected:
            continue
        if name == "get":
            plan.append(_case("get", "get", {"calls": s["get_calls"]}))
        elif name == "get64":
            params = {"calls": s["get64_calls"], "in_flight": s["in_flight"]}
            plan.append(_case("get64", "get", params))
        elif name == "list":
            params = {"page_size": s["page_size"], "expect": s["list_total"]}
            plan.append(_case("list", "list", params))
        elif name == "download":
            for size in s["transfer_sizes"]:
                params = {"size": size, "rounds": _rounds(size), "dir": str(workdir)}
                plan.append(_case("download", "download", params))
            # The same through ``async for``; the raw peer runs again, interleaved with it.
            size = s["transfer_sizes"][0]
            params = {"size": size, "rounds": _rounds(size), "dir": str(workdir)}
            clients = ["k6cloud_async", "aiohttp"]
            plan.append(_case("download", "download", {**params, "via": "iterate"}, clients))
        elif name == "upload":
            for size in s["transfer_sizes"]:
                params = {
                    "size": size,
                    "rounds": _rounds(size),
                    "source": str(workdir / f"upload-{size}.tar"),
                    "warm_source": str(workdir / f"upload-{MIB}.tar"),
                }
                plan.append(_case("upload", "upload", params))
        elif name == "start":
            plan.append(_case("start", "start", {"calls": s["start_calls"]}))
        elif name == "decode":
            for block in (False, True):
                params = {"items": s["page_size"], "rounds": s["decode_rounds"]}
                case = _case("decode", "decode", {**params, "no_fast_extra": block}, ["-"])
                case["server"] = None
                plan.append(case)
        elif name == "startup":
            case = _case("startup", "startup", {"runs": s["startup_processes"]}, ["-"])
            case["server"] = None
            plan.append(case)
        elif name == "readahead":
            params = {
                "page_size": s["page_size"],
                "pages": s["readahead_pages"],
                "expect": s["readahead_pages"] * s["page_size"],
                "latency_ms": s["readahead_latency_ms"],
                "consumer_ms": s["readahead_consumer_ms"],
            }
            case = _case("readahead", "readahead", params)
            case["server"] = "slow"
            plan.append(case)
    return plan


#: Per-call cells take about a second a process: they run twice as many processes, whose
#: spread on a shared machine is the widest (±10% from one to the next sequentially; with 64
#: in flight one process's best block of calls ranged 5,966-9,547 calls/s over 8 processes).
_MORE_PROCESSES = {"get": 2, "get64": 2, "start": 2}


def _repeats_of(case: dict[str, Any], repeats: int) -> int:
    if case["workload"] == "startup":
        return 1  # the startup runner starts its own fresh interpreters
    return repeats * _MORE_PROCESSES.get(case["kind"], 1)


def _rounds(size: int) -> int:
    """Transfers per run: at least 4 and 128 MiB in all, so that a run's figure is not one
    sample of a file system whose write speed swings from one transfer to the next (one
    256 MiB transfer per process moved the CPU ratio between 0.79x and 1.29x from run to run);
    peak RSS still reflects one size."""
    return max(4, 128 * MIB // size)


def _case(
    kind: str, workload: str, params: dict[str, Any], clients: list[str] | None = None
) -> dict[str, Any]:
    return {
        "kind": kind,
        "workload": workload,
        "params": params,
        "clients": clients or list(CLIENTS),
        "server": "main",
        "runs": {},
    }


def make_sources(workdir: Path, sizes: list[int]) -> None:
    """The upload sources: the 1 MiB block repeated (a ``.tar``-looking file)."""
    block = script_block()
    for size in sorted({MIB, *sizes}):
        with open(workdir / f"upload-{size}.tar", "wb") as file:
            left = size
            while left > 0:
                file.write(block[: min(left, BLOCK_SIZE)])
                left -= BLOCK_SIZE


def run_all(
    plan: list[dict[str, Any]], s: dict[str, Any], workdir: Path, repeats: int
) -> tuple[list[str], float]:
    """Run every case ``repeats`` times (clients interleaved); returns errors and seconds."""
    errors: list[str] = []
    began = time.monotonic()
    needs = {case["server"] for case in plan}
    with contextlib.ExitStack() as stack:
        urls: dict[str | None, str] = {None: ""}
        if "main" in needs:
            urls["main"] = stack.enter_context(
                server(workdir, tests=s["list_total"], page_size=s["page_size"])
            )
        if "slow" in needs:
            urls["slow"] = stack.enter_context(
                server(
                    workdir,
                    tests=s["readahead_pages"] * s["page_size"],
                    page_size=s["page_size"],
                    latency_ms=s["readahead_latency_ms"],
                )
            )
        for case in plan:
            started = time.monotonic()
            for repeat in range(_repeats_of(case, repeats)):
                # The order turns each repeat, so that no client always follows the same one
                # (a transfer also inherits the disk's writeback of the one before it).
                turn = repeat % len(case["clients"])
                for client in case["clients"][turn:] + case["clients"][:turn]:
                    if case["workload"] == "startup":
                        result = run_startup(case["params"], timeout=s["runner_timeout"])
                        case["runs"].setdefault(client, []).append(result)
                        if "error" in result:
                            errors.append(f"startup: {result['error']}")
                        continue
                    result = run_runner(
                        client,
                        case["workload"],
                        case["params"],
                        base_url=urls[case["server"]],
                        timeout=s["runner_timeout"],
                        no_fast_extra=case["params"].get("no_fast_extra", False),
                    )
                    case["runs"].setdefault(client, []).append(result)
                    if "error" in result:
                        errors.append(f"{case['kind']} / {client}: {result['error']}")
            print(
                f"  {case['kind']:<9} {_describe(case['params']):<28} "
                f"{time.monotonic() - started:6.1f} s",
                file=sys.stderr,
                flush=True,
            )
    return errors, time.monotonic() - began


def _describe(params: dict[str, Any]) -> str:
    if "size" in params:
        via = ", async for" if params.get("via") == "iterate" else ""
        return f"{params['size'] // MIB} MiB ×{params['rounds']}{via}"
    if "no_fast_extra" in params:
        return "stdlib json" if params["no_fast_extra"] else "fast extra"
    keys = ("calls", "in_flight", "expect", "pages")
    return ", ".join(f"{k}={params[k]}" for k in keys if k in params)


def profile_library(plan: list[dict[str, Any]], s: dict[str, Any], workdir: Path) -> str:
    """cProfile the k6cloud_async run of each case; a summary per case."""
    import pstats

    sections: list[str] = []
    with contextlib.ExitStack() as stack:
        urls: dict[str | None, str] = {None: ""}
        for case in plan:
            if case["workload"] == "startup":  # fresh interpreters: nothing to profile here
                continue
            if case["server"] not in urls:
                if case["server"] == "main":
                    urls["main"] = stack.enter_context(
                        server(workdir, tests=s["list_total"], page_size=s["page_size"])
                    )
                else:
                    urls["slow"] = stack.enter_context(
                        server(
                            workdir,
                            tests=s["readahead_pages"] * s["page_size"],
                            page_size=s["page_size"],
                            latency_ms=s["readahead_latency_ms"],
                        )
                    )
            client = "-" if case["workload"] == "decode" else "k6cloud_async"
            path = workdir / f"profile-{case['kind']}-{len(sections)}.prof"
            result = run_runner(
                client,
                case["workload"],
                case["params"],
                base_url=urls[case["server"]],
                timeout=s["runner_timeout"],
                no_fast_extra=case["params"].get("no_fast_extra", False),
                profile=str(path),
            )
            title = f"{case['kind']} ({_describe(case['params'])})"
            if "error" in result:
                sections.append(f"## {title}: {result['error']}")
                continue
            sections.append(f"## {title}\n" + report.profile_summary(pstats.Stats(str(path))))
    return "\n\n".join(sections)


# -- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="k6cloud_async against raw aiohttp and raw httpx, side by side.",
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one run each")
    parser.add_argument(
        "--only", nargs="+", choices=WORKLOADS, metavar="NAME", help=f"of {', '.join(WORKLOADS)}"
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every measurement here")
    parser.add_argument("--repeat", type=int, help="runs per cell (default: 1 quick, 3 full)")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of measuring, cProfile k6cloud_async's runs and summarise them",
    )
    parser.add_argument("--tmpdir", type=Path, help="where scripts are written (default: $TMPDIR)")
    args = parser.parse_args(argv)

    s = settings(args.quick)
    repeats = args.repeat or s["repeats"]
    if repeats < 1:
        parser.error("--repeat must be 1 or more")
    selected = list(args.only or WORKLOADS)
    workdir = Path(tempfile.mkdtemp(prefix="k6cloud-bench-", dir=args.tmpdir))
    try:
        plan = cases(selected, s, workdir)
        if "upload" in selected:
            make_sources(workdir, s["transfer_sizes"])
        if args.profile:
            print(profile_library(plan, s, workdir))
            return 0
        mode = "quick" if args.quick else "full"
        print(f"benchmarks ({mode}): {', '.join(selected)}", file=sys.stderr, flush=True)
        errors, seconds = run_all(plan, s, workdir, repeats)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    meta = {
        "mode": mode,
        "repeats": repeats,
        "per_call_repeats": repeats * _MORE_PROCESSES["get"],
        "blocks": BLOCKS,
        "seconds": round(seconds, 1),
        "pinning": (
            f"server on CPU {SERVER_CPU}, clients on CPU {CLIENT_CPU}"
            if can_pin()
            else "no CPU pinning (fewer than 2 CPUs available)"
        ),
        "versions": _versions(),
        "json": _library_json(),
        "settings": s,
    }
    rows = report.build_rows(plan)
    print(report.render(rows, report.footnotes(meta)))
    failed = report.unmet(rows)
    print(
        f"\n{len(rows) - len(failed)} of {len(rows)} targets met; {seconds:.0f} s.",
        file=sys.stderr,
    )
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    if args.json:
        payload = {"meta": meta, "cases": plan, "rows": [row.__dict__ for row in rows]}
        args.json.write_text(json.dumps(payload, indent=2, default=_jsonable))
    return 1 if errors else 0


def _jsonable(value: Any) -> Any:
    if hasattr(value, "__dict__"):
        return value.__dict__
    return str(value)


def _versions() -> str:
    from importlib import metadata

    parts = [f"Python {platform.python_version()}"]
    for name in ("k6cloud-async", "aiohttp", "httpx", "pydantic", "orjson", "msgspec"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            parts.append(f"{name} {metadata.version(name)}")
    return ", ".join(parts)


def _library_json() -> str:
    import importlib.util

    found = [name for name in ("msgspec", "orjson") if importlib.util.find_spec(name)]
    return " and ".join(found) if found else "the stdlib json"


if __name__ == "__main__":
    raise SystemExit(main())
