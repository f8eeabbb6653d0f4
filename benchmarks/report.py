"""Turn the runners' measurements into one table, with each row's target and verdict."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .payloads import MIB

LIB, FLOOR, ALT = "k6cloud_async", "aiohttp", "httpx"
COLUMNS = (LIB, FLOOR, ALT)


@dataclass(frozen=True)
class Target:
    """``kind``: ``max`` (lib ≤ bound × baseline), ``min`` (lib ≥ bound × baseline),
    ``within`` (lib ≤ baseline + bound, in the row's unit) or ``at_most`` (lib ≤ bound, in
    the row's unit, with no baseline). ``against`` names the baseline's column."""

    kind: str
    bound: float
    against: str = FLOOR
    against_label: str = "raw"

    def describe(self) -> str:
        if self.kind == "within":
            return f"≤ {self.against_label} + {self.bound:g} MiB"
        if self.kind == "at_most":
            return f"≤ {self.bound:g} {self.against_label}"
        sign = "≤" if self.kind == "max" else "≥"
        return f"{sign} {self.bound:g}× {self.against_label}"

    def check(self, lib: float, baseline: float | None) -> tuple[bool, str]:
        if self.kind == "at_most":
            return lib <= self.bound, f"{lib:.3g} {self.against_label}"
        if baseline is None:
            return False, "no baseline"
        if self.kind == "within":
            delta = lib - baseline
            return delta <= self.bound, f"{delta:+.1f} MiB"
        ratio = lib / baseline if baseline else float("inf")
        met = ratio <= self.bound if self.kind == "max" else ratio >= self.bound
        return met, f"{ratio:.2f}×"


@dataclass
class Row:
    workload: str
    metric: str
    values: dict[str, float | None]
    target: Target | None = None
    #: ``ratio``: the ratio columns show column ÷ floor; ``delta``: column − floor.
    compare: str = "ratio"
    digits: int = 1
    notes: list[str] = field(default_factory=list)


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def metric(
    runs: Sequence[dict[str, Any]], extract: Callable[[dict[str, Any]], float]
) -> float | None:
    """The median of ``extract`` over the successful runs."""
    return median([extract(run) for run in runs if "error" not in run])


def _fmt(value: float | None, digits: int) -> str:
    if value is None:
        return "error"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def _compare(row: Row, column: str) -> str:
    value, floor = row.values.get(column), row.values.get(FLOOR)
    if value is None or floor is None:
        return "–"
    if row.compare == "delta":
        return f"{value - floor:+.1f} MiB"
    return f"{value / floor:.2f}×" if floor else "–"


def _verdict(row: Row) -> tuple[str, bool | None]:
    if row.target is None:
        return "info", None
    lib, baseline = row.values.get(LIB), row.values.get(row.target.against)
    if lib is None or (baseline is None and row.target.kind != "at_most"):
        return "error", False
    met, measured = row.target.check(lib, baseline)
    return ("yes" if met else "**NO**") + f" ({measured})", met


def render(rows: Sequence[Row], footnotes: Sequence[str]) -> str:
    """A Markdown table (readable in a terminal, pasteable into the README)."""
    header = [
        "workload",
        "metric",
        "k6cloud_async",
        "raw aiohttp",
        "raw httpx",
        "k6 vs aiohttp",
        "httpx vs aiohttp",
        "target (k6cloud_async)",
        "met",
    ]
    body = []
    for row in rows:
        verdict, _ = _verdict(row)
        body.append(
            [
                row.workload,
                row.metric,
                *(
                    _fmt(row.values[column], row.digits) if column in row.values else "–"
                    for column in COLUMNS
                ),
                _compare(row, LIB),
                _compare(row, ALT),
                row.target.describe() if row.target else "–",
                verdict,
            ]
        )
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    numeric = set(range(2, 7))

    def line(cells: list[str]) -> str:
        padded = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            "-" * (w + 1) + ":" if i in numeric else "-" * (w + 2) for i, w in enumerate(widths)
        )
        + "|"
    )
    lines = [line(header), rule, *(line(cells) for cells in body)]
    if footnotes:
        lines.append("")
        lines.extend(footnotes)
    return "\n".join(lines)


def unmet(rows: Sequence[Row]) -> list[Row]:
    return [row for row in rows if _verdict(row)[1] is False]


# -- from measurements to rows -------------------------------------------------------------


def _per_call_us(run: dict[str, Any]) -> float:
    """CPU per call of the process's best block of calls (of all its calls, for a run
    measured in one piece)."""
    if "block_cpu_s" in run:
        return float(min(run["block_cpu_s"]) / run["block_ops"] * 1e6)
    return float(run["cpu_s"] / run["ops"] * 1e6)


def _calls_per_s(run: dict[str, Any]) -> float:
    if "block_wall_s" in run:
        return float(run["block_ops"] / min(run["block_wall_s"]))
    return float(run["ops"] / run["wall_s"])


def _mib_per_s(run: dict[str, Any]) -> float:
    return float(run["bytes"] / MIB / run["wall_s"])


def _rss_mib(run: dict[str, Any]) -> float:
    return float(run["maxrss_kib"] / 1024)


def _values(
    runs: dict[str, list[dict[str, Any]]], extract: Callable[[dict[str, Any]], float]
) -> dict[str, float | None]:
    """The median of each column that ran (a column left out was not measured)."""
    return {column: metric(runs[column], extract) for column in COLUMNS if column in runs}


def build_rows(cases: Sequence[dict[str, Any]]) -> list[Row]:
    """One or two rows per measured case, in the order the cases ran."""
    rows: list[Row] = []
    for case in cases:
        kind, runs, p = case["kind"], case["runs"], case["params"]
        if kind == "get":
            rows.append(
                Row(
                    f"sequential get ×{p['calls']:,}",
                    "CPU µs/call",
                    _values(runs, _per_call_us),
                    Target("max", 1.05),
                )
            )
        elif kind == "get64":
            rows.append(
                Row(
                    f"get ×{p['calls']:,}, {p['in_flight']} in flight",
                    "calls/s",
                    _values(runs, _calls_per_s),
                    Target("min", 0.97),
                    digits=0,
                )
            )
        elif kind == "list":
            label = f"list {p['expect']:,} ({p['page_size']:,}/page)"
            rows.append(
                Row(label, "CPU ms", _values(runs, lambda r: r["cpu_s"] * 1e3), Target("max", 1.3))
            )
            rows.append(
                Row(
                    label,
                    "peak RSS MiB",
                    _values(runs, _rss_mib),
                    Target("within", 10),
                    compare="delta",
                )
            )
        elif kind in ("download", "upload"):
            label = f"{kind} {p['size'] // MIB} MiB" + (
                f" (×{p['rounds']} per run)" if p.get("rounds", 1) > 1 else ""
            )
            if kind == "download":
                how = "async for" if p.get("via") == "iterate" else "save()"
                label += f", {how} to a file"
            rows.append(
                Row(label, "MiB/s", _values(runs, _mib_per_s), Target("min", 0.95), digits=0)
            )
            if kind == "download":
                rows.append(
                    Row(
                        label,
                        "CPU s/transfer",
                        _values(runs, lambda r: r["cpu_s"] / r["ops"]),
                        Target("max", 1.05),
                        digits=3,
                    )
                )
            rows.append(
                Row(
                    label,
                    "peak RSS MiB",
                    _values(runs, _rss_mib),
                    Target("within", 10),
                    compare="delta",
                )
            )
        elif kind == "start":
            rows.append(
                Row(
                    f"start ×{p['calls']:,}, sequential",
                    "CPU µs/call",
                    _values(runs, _per_call_us),
                    Target("max", 1.10),
                )
            )
        elif kind == "startup":
            rows.extend(_startup_rows(runs.get("-", []), p["runs"]))
        elif kind == "decode":
            mode = "stdlib json" if p["no_fast_extra"] else "fast extra"
            decode_runs = runs.get("-", [])
            rows.append(
                Row(
                    f"decode 1,000-item page, {mode}²",
                    "best ms",
                    {
                        LIB: metric(decode_runs, lambda r: r["best_s"][LIB] * 1e3),
                        FLOOR: metric(decode_runs, lambda r: r["best_s"]["json"] * 1e3),
                        ALT: metric(decode_runs, lambda r: r["best_s"]["pydantic"] * 1e3),
                    },
                    Target(
                        "max",
                        1.4 if p["no_fast_extra"] else 1.0,
                        against_label="json.loads",
                    ),
                    digits=2,
                )
            )
        elif kind == "readahead":
            rows.append(
                Row(
                    f"{p['pages']}-page listing, {p['latency_ms']:g} ms latency + "
                    f"{p['consumer_ms']:g} ms/page consumer³",
                    "wall s",
                    _values(runs, lambda r: r["wall_s"]),
                    Target("max", 0.6, against_label="without read-ahead"),
                    digits=2,
                )
            )
    return rows


def _startup_rows(runs: Sequence[dict[str, Any]], processes: int) -> list[Row]:
    """The start-up rows: each figure is already a median over fresh processes."""

    def wall_ms(name: str) -> float | None:
        return metric(runs, lambda r: r["wall_s"][name] * 1e3)

    return [
        Row(
            f"`k6cloud --help` ({processes} processes)⁴",
            "wall ms",
            {LIB: wall_ms("k6cloud --help")},
            Target("at_most", 120, against_label="ms"),
            digits=0,
        ),
        Row(
            f"`import k6cloud_async` ({processes} processes)⁴",
            "wall ms",
            {LIB: wall_ms("import k6cloud_async"), FLOOR: wall_ms("import aiohttp")},
            Target("max", 1.20, against_label="`import aiohttp`"),
            digits=0,
        ),
    ]


def footnotes(meta: dict[str, Any]) -> list[str]:
    return [
        f"{meta['mode']} run, median of {meta['repeats']} run(s) per cell "
        f"({meta.get('per_call_repeats', meta['repeats'])} for the get, 64-in-flight and start "
        "rows; "
        f"per-call runs: their best of {meta.get('blocks', 1)} blocks of calls); "
        f"{meta['pinning']}; "
        f"{meta['versions']}.",
        "CPU = user+sys of the client process (getrusage) during the workload, after warm-up; "
        "peak RSS = ru_maxrss of that process. Raw aiohttp and httpx parse with json.loads; "
        f"k6cloud_async with {meta['json']}.",
        "² columns: k6cloud_async = what the listing handler does with the bytes: msgspec "
        "into generated structs, then the models (fast extra), or its JSON parser + "
        "decode_page → Page[LoadTest]; raw aiohttp = the standard library's json.loads alone, "
        "to dicts; raw httpx = pydantic v2 TypeAdapter.validate_json (strict model). Best of "
        "N, in one process; the stdlib row blocks orjson and msgspec in that process.",
        "³ columns: k6cloud_async = pages() (reads the next page ahead); raw aiohttp / raw "
        "httpx = the same pages fetched one after another, without read-ahead.",
        "⁴ `python -m benchmarks.startup`: the median wall time of fresh interpreters, pinned "
        'to the client CPU, the commands interleaved; raw aiohttp = `python -c "import '
        'aiohttp"`.',
    ]


# -- profiles ----------------------------------------------------------------------------------


def _group(filename: str, function: str) -> str:
    """Where a profiled function lives: a library module, a package, or the stdlib."""
    path = filename.replace("\\", "/")
    if "k6cloud_async/" in path:
        return "k6cloud_async/" + path.rsplit("k6cloud_async/", 1)[1]
    if path.startswith("<attrs generated"):
        return "attrs-generated"
    if path.startswith("<cattrs generated"):
        return "cattrs-generated"
    if path == "~":
        return "builtin: " + function.strip("<>")
    if "site-packages/" in path:
        return path.rsplit("site-packages/", 1)[1].split("/", 1)[0]
    if "/benchmarks/" in path:
        return "benchmarks (the runner)"
    if "/lib/python" in path:
        rest = path.rsplit("/lib/python", 1)[1].split("/", 1)
        return "stdlib: " + (rest[1].split("/", 1)[0] if len(rest) > 1 else path)
    return path


def profile_summary(stats: Any, top: int = 15) -> str:
    """Self time by module, then the top functions by self and by cumulative time."""
    entries = stats.stats  # {(file, line, func): (cc, nc, tt, ct, callers)}
    total = sum(entry[2] for entry in entries.values()) or 1.0
    groups: dict[str, float] = {}
    for (filename, _, function), (_, _, tt, _, _) in entries.items():
        key = _group(filename, function)
        groups[key] = groups.get(key, 0.0) + tt
    lines = [f"total profiled self time {total * 1e3:.1f} ms", "", "self time by module:"]
    for name, tt in sorted(groups.items(), key=lambda item: -item[1])[:top]:
        lines.append(f"  {tt / total:6.1%}  {tt * 1e3:8.1f} ms  {name}")

    def label(key: tuple[str, int, str]) -> str:
        filename, line, function = key
        return f"{_group(filename, function)}:{line} {function}"

    lines += ["", "functions by self time:"]
    for key, (_, calls, tt, _, _) in sorted(entries.items(), key=lambda item: -item[1][2])[:top]:
        lines.append(f"  {tt / total:6.1%}  {calls:>8}  {label(key)}")
    lines += ["", "k6cloud_async functions by cumulative time (share of the total):"]
    library = [(key, value) for key, value in entries.items() if "k6cloud_async/" in key[0]]
    for key, (_, calls, _, ct, _) in sorted(library, key=lambda item: -item[1][3])[:top]:
        lines.append(f"  {ct / total:6.1%}  {calls:>8}  {label(key)}")
    return "\n".join(lines)
