"""Pydantic v2 models equivalent to ``k6cloud_async.LoadTest`` and ``Page[LoadTest]``.

Used only by the decode benchmark (pydantic is a dev-only dependency of ``benchmarks/``).
Strict, like the library's converter: an integer field takes only a JSON integer, a string
field only a JSON string; date-times are parsed from ISO 8601 strings.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class LoadTestModel(BaseModel):
    model_config = ConfigDict(strict=True)

    id: int
    project_id: int
    name: str
    baseline_test_run_id: int | None
    created: datetime
    updated: datetime
    k6_version: int | None = None


class ListResponseModel(BaseModel):
    model_config = ConfigDict(strict=True, populate_by_name=True)

    value: list[LoadTestModel]
    count: int | None = Field(default=None, alias="@count")
    next_link: str | None = Field(default=None, alias="@nextLink")
