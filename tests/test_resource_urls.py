"""A resource's URLs, built in one step from the API root's text, are exactly the URLs yarl's
``/`` builds, whatever path prefix the base URL has; a resource keeps the last few dozen
it built, and hands out the same object for the same path."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from k6cloud_async import K6CloudClient
from k6cloud_async.resources._base import URL_CACHE_SIZE

_SEGMENT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/?#", exclude_categories=["Cs"]),
    min_size=1,
    max_size=8,
)


@given(
    prefix=st.lists(_SEGMENT, max_size=3),
    trailing_slash=st.booleans(),
    test_id=st.integers(1, 2**63 - 1),
    run_id=st.integers(1, 2**63 - 1),
)
def test_one_step_urls_equal_the_ones_built_segment_by_segment(
    prefix: list[str], trailing_slash: bool, test_id: int, run_id: int
) -> None:
    path = "/".join(quote(segment, safe="") for segment in prefix)
    base = f"https://api.example.com/{path}{'/' if trailing_slash and path else ''}"
    client = K6CloudClient("token", 1, base_url=base)
    root = client.load_tests._root
    assert client.load_tests._test_url(test_id) == root / "load_tests" / str(test_id)
    assert client.load_tests._test_url(test_id, "start") == (
        root / "load_tests" / str(test_id) / "start"
    )
    assert str(client.test_runs._run_url(run_id, "abort")) == str(
        root / "test_runs" / str(run_id) / "abort"
    )
    assert client.projects._project_url(test_id, "labels") == (
        root / "projects" / str(test_id) / "labels"
    )


def test_a_resource_hands_out_the_same_url_object_for_the_same_path() -> None:
    client = K6CloudClient("token", 1, base_url="https://api.example.com")
    first = client.load_tests._test_url(7)
    assert client.load_tests._test_url(7) is first
    assert client.load_tests._test_url(7, "start") is not first
    assert str(client.load_tests._test_url(7, "start")) == (
        "https://api.example.com/cloud/v6/load_tests/7/start"
    )
    assert client.load_tests._test_url(8) != first


def test_the_kept_urls_are_bounded_and_stay_right_past_the_bound() -> None:
    client = K6CloudClient("token", 1, base_url="https://api.example.com/prefix")
    tests = client.load_tests
    for test_id in range(1, 3 * URL_CACHE_SIZE):
        assert str(tests._test_url(test_id)) == (
            f"https://api.example.com/prefix/cloud/v6/load_tests/{test_id}"
        )
        assert len(tests._urls) <= URL_CACHE_SIZE
