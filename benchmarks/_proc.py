"""Process helpers shared by the server, the runners and the driver (standard library only)."""

from __future__ import annotations

import os
import shutil
import sys

#: The server runs on this CPU, every client process on ``CLIENT_CPU``.
SERVER_CPU = 1
CLIENT_CPU = 0


def can_pin() -> bool:
    """Whether both benchmark CPUs exist in this process's CPU set."""
    if not hasattr(os, "sched_getaffinity"):
        return False
    try:
        allowed = os.sched_getaffinity(0)
    except OSError:
        return False
    return {SERVER_CPU, CLIENT_CPU} <= allowed


def pinned(command: list[str], cpu: int) -> list[str]:
    """``command`` run on ``cpu``: through ``taskset`` when it exists, else with ``--cpu``
    (the child then calls ``os.sched_setaffinity`` itself); unchanged when pinning is off."""
    if not can_pin():
        return command
    taskset = shutil.which("taskset")
    if taskset:
        return [taskset, "-c", str(cpu), *command]
    return [*command, "--cpu", str(cpu)]


def pin_to_cpu(cpu: int | None) -> None:
    """The ``--cpu`` fallback: pin this process with ``os.sched_setaffinity``."""
    if cpu is None or not hasattr(os, "sched_setaffinity"):
        return
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as exc:  # e.g. the CPU is not in this container's set
        print(f"could not pin to CPU {cpu}: {exc}", file=sys.stderr)
