"""The benchmark report's per-call figures: a run measured in blocks counts its best block,
and the cell is the median over processes, for every client alike."""

from __future__ import annotations

from typing import Any

from benchmarks.report import build_rows


def _run(blocks_cpu: list[float], blocks_wall: list[float], ops: int = 100) -> dict[str, Any]:
    return {
        "ops": ops * len(blocks_cpu),
        "block_ops": ops,
        "block_cpu_s": blocks_cpu,
        "block_wall_s": blocks_wall,
        "cpu_s": sum(blocks_cpu),
        "wall_s": sum(blocks_wall),
        "maxrss_kib": 1,
    }


def test_a_run_in_blocks_counts_its_best_block_and_cells_take_the_median() -> None:
    # One slow block (a neighbour's burst) does not move a run; one slow run of three does
    # not move the cell.
    library = [
        _run([0.020, 0.030, 0.021, 0.022], [0.1] * 4),
        _run([0.021, 0.022, 0.050, 0.023], [0.1] * 4),
        _run([0.060, 0.061, 0.062, 0.063], [0.1] * 4),
    ]
    raw = [_run([0.020] * 4, [0.1] * 4)] * 3
    get = {
        "kind": "get",
        "params": {"calls": 400},
        "runs": {"k6cloud_async": library, "aiohttp": raw},
    }
    concurrent = {
        "kind": "get64",
        "params": {"calls": 400, "in_flight": 64},
        "runs": {
            "k6cloud_async": [_run([0.01] * 4, [0.05, 0.04, 0.09, 0.05])] * 3,
            "aiohttp": [_run([0.01] * 4, [0.05] * 4)] * 3,
        },
    }

    sequential_row, concurrent_row = build_rows([get, concurrent])

    assert sequential_row.values == {"k6cloud_async": 210.0, "aiohttp": 200.0}  # µs a call
    assert concurrent_row.values == {"k6cloud_async": 2500.0, "aiohttp": 2000.0}  # calls/s


def test_a_run_in_one_piece_counts_all_its_calls() -> None:
    run = {"ops": 200, "cpu_s": 0.04, "wall_s": 0.1, "maxrss_kib": 1}
    case = {
        "kind": "start",
        "params": {"calls": 200},
        "runs": {"k6cloud_async": [run], "aiohttp": [run]},
    }

    (row,) = build_rows([case])

    assert row.values == {"k6cloud_async": 200.0, "aiohttp": 200.0}
