"""Each model keeps its own fast decoder: a body that fits never takes the detailed path
(which only exists to name the field that does not fit)."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest

import k6cloud_async as k6
from k6cloud_async import _converter
from k6cloud_async.testing import FakeK6Cloud


def _refuse_detailed(data: Any, kind: Any, name: str, path: str = "$") -> NoReturn:
    raise AssertionError(f"a {name} body that fits took the detailed path")


async def test_models_decoded_in_turn_each_use_their_own_decoder(
    fake: FakeK6Cloud, client: k6.K6CloudClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = fake.add_project()
    test_id = fake.add_test(project, "t").id
    monkeypatch.setattr(_converter, "_decode_in_detail", _refuse_detailed)

    for _ in range(2):  # the second round is served by the decoders chosen in the first
        test = await client.load_tests.get(test_id)
        run = await client.load_tests.start(test_id)
        again = await client.load_tests.get(test_id)
        assert isinstance(test, k6.LoadTest)
        assert isinstance(again, k6.LoadTest)
        assert isinstance(run, k6.TestRun)
        assert run.test_id == test_id
