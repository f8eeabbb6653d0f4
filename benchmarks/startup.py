"""Start-up figures: ``python -m benchmarks.startup [--runs N] [--json]``.

How long a fresh interpreter takes to ``import k6cloud_async``, to import the client, and
to answer ``k6cloud --help``, beside the floor the library stands on
(``python -c "import aiohttp"``) and the bare interpreter, all measured in the same run.
Every figure is the median over ``runs`` fresh processes; the commands run interleaved
(one of each, ``runs`` times, after one warm-up round that also writes the bytecode
caches), so a change in the machine's load weighs on all of them alike. Wall time is
``time.perf_counter`` around the process; CPU is its user + system time (``os.wait4``),
which varies less on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Final

__all__ = ["COMMANDS", "measure_startup"]

#: What is timed: a name, and the interpreter's arguments.
COMMANDS: Final[dict[str, list[str]]] = {
    "python -c pass": ["-c", "pass"],
    "import aiohttp": ["-c", "import aiohttp"],
    "import k6cloud_async": ["-c", "import k6cloud_async"],
    "from k6cloud_async import K6CloudClient": ["-c", "from k6cloud_async import K6CloudClient"],
    "k6cloud --help": ["-m", "k6cloud_async", "--help"],
    "k6cloud tests --help": ["-m", "k6cloud_async", "tests", "--help"],
}
_FLOOR: Final = "import aiohttp"


def _time_once(python: str, args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, cpu) seconds of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [python, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    error = process.stderr.read() if process.stderr else b""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"{args} exited {process.returncode}: {error.decode()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime


def measure_startup(runs: int = 15, python: str = sys.executable) -> dict[str, dict[str, float]]:
    """Median start-up figures of ``COMMANDS``, each over ``runs`` fresh processes.

    Returns ``{"wall_s": {name: s}, "cpu_s": {name: s}, "wall_vs_aiohttp": {name: ratio},
    "cpu_vs_aiohttp": {name: ratio}}``, the ratios dividing each figure by
    ``python -c "import aiohttp"``'s.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    env = {key: value for key, value in os.environ.items() if not key.startswith("K6_CLOUD_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for args in COMMANDS.values():  # warm-up: bytecode caches, the page cache
        _time_once(python, args, env)
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(runs):
        for name, args in COMMANDS.items():
            wall, cpu = _time_once(python, args, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    wall_s = {name: statistics.median(values) for name, values in walls.items()}
    cpu_s = {name: statistics.median(values) for name, values in cpus.items()}
    return {
        "wall_s": wall_s,
        "cpu_s": cpu_s,
        "wall_vs_aiohttp": {name: value / wall_s[_FLOOR] for name, value in wall_s.items()},
        "cpu_vs_aiohttp": {name: value / cpu_s[_FLOOR] for name, value in cpu_s.items()},
    }


def _table(figures: dict[str, dict[str, float]], runs: int) -> str:
    width = max(map(len, COMMANDS))
    lines = [
        f"start-up, median of {runs} fresh processes ({sys.executable}, {os.cpu_count()} CPUs)",
        f"{'':<{width}}  {'wall':>8}  {'÷ aiohttp':>9}  {'cpu':>8}  {'÷ aiohttp':>9}",
    ]
    for name in COMMANDS:
        lines.append(
            f"{name:<{width}}  {figures['wall_s'][name] * 1000:6.1f} ms"
            f"  {figures['wall_vs_aiohttp'][name]:8.2f}×"
            f"  {figures['cpu_s'][name] * 1000:6.1f} ms"
            f"  {figures['cpu_vs_aiohttp'][name]:8.2f}×"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.startup", description=__doc__)
    parser.add_argument("--runs", type=int, default=15, help="processes per figure (15)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = measure_startup(args.runs)
    print(json.dumps(figures, indent=2) if args.json else _table(figures, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
