"""Attrs classes for the test run bodies beyond ``TestRun``: its distribution and its patch.

Attribute names are the API's field names (OpenAPI 1.12.0); every field these schemas
require is required here. Slotted, compared by value; treat instances as read-only.
"""

from __future__ import annotations

from attrs import define

__all__ = ["DistributionNode", "LoadZoneDistribution", "TestRunDistribution", "TestRunPatch"]


@define
class DistributionNode:
    """One load generator of a run in a load zone (``NodeApiModel``)."""

    size: str
    public_ip: str


@define
class LoadZoneDistribution:
    """What one load zone ran of a test run (``LoadZoneDistributionApiModel``): its share
    of the load, in percent, and the nodes it used."""

    percentage: int
    nodes: list[DistributionNode]


@define
class TestRunDistribution:
    """``GET /test_runs/{id}/distribution`` (``TestRunDistributionApiModel``): the load
    zones of the run, by load zone name."""

    __test__ = False  # not a pytest test class

    distribution: dict[str, LoadZoneDistribution]


@define
class TestRunPatch:
    """Request body of ``PATCH /test_runs/{id}`` (``PatchTestRunApiModel``)."""

    __test__ = False  # not a pytest test class

    note: str
