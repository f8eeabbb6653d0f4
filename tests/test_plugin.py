"""The pytest plugin, as a user's project meets it: one test file, no conftest, the plugin
found through its ``pytest11`` entry point. Each project runs in a pytest subprocess."""

from __future__ import annotations

import textwrap

import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault

pytest_plugins = ["pytester"]

# A user's test of their own code against the fixtures: the code under test reads a test,
# meets an injected 503 (retried), and logs the request id of a 404.
USER_TEST = """
import pytest

import k6cloud_async as k6
from k6cloud_async.testing import FakeK6Cloud, Fault

{marker}
async def test_my_code(k6cloud_fake: FakeK6Cloud, k6cloud_client: k6.K6CloudClient) -> None:
    project = k6cloud_fake.add_project("Default project")
    test = k6cloud_fake.add_test(project, "smoke")
    k6cloud_fake.inject(Fault.status(503), method="GET")

    assert (await k6cloud_client.load_tests.get(test.id)).name == "smoke"

    k6cloud_fake.assert_called("GET", f"/cloud/v6/load_tests/{{test.id}}", times=2)
    k6cloud_fake.assert_all_faults_used()


{marker}
async def test_each_test_gets_a_fresh_fake(k6cloud_fake: FakeK6Cloud) -> None:
    assert k6cloud_fake.projects == []
    assert k6cloud_fake.requests == []
"""


def _write_project(pytester: pytest.Pytester, marker: str, ini: str) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile(test_user=USER_TEST.format(marker=marker))


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # -p no:cacheprovider: nothing written beside the project; -W error: no warnings either.
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", *args)


def test_a_user_project_of_one_test_file_passes_in_strict_asyncio_mode(
    pytester: pytest.Pytester,
) -> None:
    # Strict is pytest-asyncio's default mode: the project holds the test file alone.
    pytester.makepyfile(test_user=USER_TEST.format(marker="@pytest.mark.asyncio"))
    assert [p.name for p in pytester.path.iterdir()] == ["test_user.py"]

    # Not -W error: pytest-asyncio warns that the project leaves its loop scope unset.
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")

    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["plugins:*k6cloud-async-*", "asyncio: mode=Mode.STRICT*"])


def test_a_user_project_passes_in_auto_asyncio_mode(pytester: pytest.Pytester) -> None:
    _write_project(
        pytester, "", "asyncio_mode = auto\nasyncio_default_fixture_loop_scope = function"
    )

    result = _run(pytester, "-v")

    result.assert_outcomes(passed=2)


def test_a_user_project_passes_with_anyio(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_user=USER_TEST.format(marker="@pytest.mark.anyio")
        + textwrap.dedent(
            """

            @pytest.fixture
            def anyio_backend() -> str:
                return "asyncio"
            """
        )
    )

    result = _run(pytester, "-v")

    result.assert_outcomes(passed=2)


def test_a_project_without_pytest_asyncio_runs_anyio_tests(pytester: pytest.Pytester) -> None:
    """pytest-asyncio absent: the plugin still loads, and anyio tests get the fixtures."""
    # The project directory is on the subprocess's PYTHONPATH, ahead of site-packages.
    shadow = pytester.mkpydir("pytest_asyncio")
    (shadow / "__init__.py").write_text("raise ImportError('pytest-asyncio is not installed')\n")
    pytester.makepyfile(
        test_user=USER_TEST.format(marker="@pytest.mark.anyio")
        + textwrap.dedent(
            """

            @pytest.fixture
            def anyio_backend() -> str:
                return "asyncio"


            def test_pytest_asyncio_cannot_be_imported() -> None:
                with pytest.raises(ImportError, match="not installed"):
                    import pytest_asyncio  # noqa: F401
            """
        )
    )
    pytester.makeini("[pytest]\n")

    # -p no:asyncio: pytest does not load pytest-asyncio's own entry point.
    result = _run(pytester, "-p", "no:asyncio", "-v")

    result.assert_outcomes(passed=3)


def test_the_marker_seeds_the_fake_and_sets_its_options(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(
        test_seeded="""
        import pytest

        import k6cloud_async as k6
        from k6cloud_async.testing import FakeK6Cloud

        pytestmark = pytest.mark.asyncio


        @pytest.mark.k6cloud_fake(
            {"Checkout": ["smoke", "soak"], "Search": []}, token="t", stack_id=9
        )
        async def test_seeded(k6cloud_fake: FakeK6Cloud, k6cloud_client: k6.K6CloudClient) -> None:
            names = [t.name async for t in k6cloud_client.load_tests.list()]
            assert names == ["smoke", "soak"]
            assert k6cloud_fake.projects == [1, 2]
            assert (k6cloud_fake.token, k6cloud_fake.stack_id) == ("t", 9)
            assert k6cloud_fake.test_by_name("soak").project_id == 1


        @pytest.mark.k6cloud_fake(drive_waits=True)
        async def test_an_hour_long_run(
            k6cloud_fake: FakeK6Cloud, k6cloud_client: k6.K6CloudClient
        ) -> None:
            test = k6cloud_fake.add_test(k6cloud_fake.add_project(), "soak")
            k6cloud_fake.set_run_outcome(test_id=test.id, result="failed", duration=3600)
            run = await k6cloud_client.load_tests.start(test.id)

            final = await k6cloud_client.test_runs.wait(run.id, max_wait=30)

            assert final.result == "failed"
            assert k6cloud_fake.clock.driven >= 3600


        @pytest.mark.k6cloud_fake(projects="Checkout")
        async def test_projects_must_be_names(k6cloud_fake: FakeK6Cloud) -> None:
            pass


        @pytest.mark.k6cloud_fake(colour="red")
        async def test_unknown_options_are_refused(k6cloud_fake: FakeK6Cloud) -> None:
            pass
        """
    )

    result = _run(pytester, "-v", "--strict-markers")

    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*TypeError: k6cloud_fake(projects=...) must be a list of project names*",
            "*TypeError: k6cloud_fake() got unknown options: colour*",
        ]
    )


def test_a_trio_test_is_told_the_fixtures_need_asyncio(pytester: pytest.Pytester) -> None:
    """Refused while the fixture is set up, so trio need not even be installed."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_trio="""
        import pytest

        @pytest.fixture
        def anyio_backend() -> str:
            return "trio"

        @pytest.mark.anyio
        async def test_on_trio(k6cloud_fake) -> None:
            pass
        """
    )

    result = _run(pytester)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*k6cloud fixtures run on asyncio (aiohttp), not on*trio*"])


# -- the same fixtures in this repository's own (auto mode) suite ---------------------------


@pytest.mark.k6cloud_fake({"Checkout": ["smoke"]}, client_options={"max_retries": 0})
async def test_the_fixtures_serve_this_suite_too(
    k6cloud_fake: FakeK6Cloud, k6cloud_client: k6.K6CloudClient
) -> None:
    test = k6cloud_fake.test_by_name("smoke")
    k6cloud_fake.inject(Fault.status(503))

    with pytest.raises(k6.ServerError):  # max_retries=0 from the marker: no retry
        await k6cloud_client.load_tests.get(test.id)
    k6cloud_fake.assert_called("GET", f"/cloud/v6/load_tests/{test.id}", times=1)
