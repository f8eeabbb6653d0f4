"""``k6cloud zones``, ``k6cloud labels``, ``k6cloud login`` and the global ``--stack-url``,
run through the real entry point against FakeK6Cloud (see tests/_cli_support.py)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from _cli_support import (  # noqa: F401  (fixtures)
    Result,
    ThreadedFake,
    k6cloud_fixture,
    one_error_line,
    server_fixture,
)

from k6cloud_async.cli._commands_labels import parse_keys
from k6cloud_async.testing import Fault

Run = Callable[..., Result]
STACK_URL = "https://fake.grafana.net"


class TestZones:
    def test_list_prints_a_table_of_every_zone(self, server: ThreadedFake, k6cloud: Run) -> None:
        result = k6cloud("zones", "list")

        assert result.code == 0, result
        lines = result.out.splitlines()
        assert lines[0].split() == ["ID", "K6", "ID", "NAME", "PUBLIC", "AVAILABLE", "IMAGE"]
        assert lines[1].split()[:2] == ["1", "amazon:us:ashburn"]
        assert len(lines) == 1 + len(server.fake.load_zones)

    def test_list_json_is_one_object_a_line_filtered_by_k6_id(
        self, server: ThreadedFake, k6cloud: Run
    ) -> None:
        result = k6cloud("zones", "list", "--k6-id", "amazon:us:ashburn", "--json")

        assert result.json_lines() == [
            {
                "id": 1,
                "name": "US East (N. Virginia)",
                "k6_load_zone_id": "amazon:us:ashburn",
                "available": True,
                "custom_load_runner_image": None,
                "public": True,
            }
        ]

    def test_set_projects_then_projects(self, server: ThreadedFake, k6cloud: Run) -> None:
        other = server.call(server.fake.add_project, "Platform load tests")

        result = k6cloud("zones", "set-projects", "24", str(server.project), str(other), "--json")
        assert result.json_lines() == [
            {"id": server.project, "name": "Default"},
            {"id": other, "name": "Platform load tests"},
        ]
        shown = k6cloud("zones", "projects", "24")
        assert shown.out.splitlines()[1:] == [
            f"{server.project:>2}  Default",
            f"{other:>2}  Platform load tests",
        ]
        assert k6cloud("zones", "set-projects", "24", "--none").code == 0
        assert server.call(server.fake.allowed_projects_of, 24) == []

    @pytest.mark.parametrize("argv", [["24"], ["24", "1", "--none"]])
    def test_set_projects_needs_ids_or_none(
        self, server: ThreadedFake, k6cloud: Run, argv: list[str]
    ) -> None:
        result = k6cloud("zones", "set-projects", *argv)
        assert result.code == 2
        assert "--none" in result.err
        assert server.fake.requests == []

    def test_a_public_zone_has_no_projects_list(self, server: ThreadedFake, k6cloud: Run) -> None:
        assert "404 not_found" in one_error_line(k6cloud("zones", "projects", "1"))

    def test_a_zone_name_with_control_characters_is_escaped(
        self, server: ThreadedFake, k6cloud: Run
    ) -> None:
        server.call(server.fake.add_load_zone, "evil", name="a\x1b]0;pwned\x07b")

        result = k6cloud("zones", "list")

        assert "\x1b" not in result.out
        assert "a\\x1b]0;pwned\\x07b" in result.out


class TestLabels:
    def test_create_list_rename_delete(self, server: ThreadedFake, k6cloud: Run) -> None:
        created = k6cloud("labels", "create", "team", "env=Environment being tested", "--json")
        assert created.json_lines() == [
            {"id": 1, "key": "team", "description": None},
            {"id": 2, "key": "env", "description": "Environment being tested"},
        ]

        renamed = k6cloud("labels", "rename", "2", "environment", "--description", "Where")
        assert renamed.out.splitlines()[1].split() == ["2", "environment", "Where"]
        listed = k6cloud("labels", "list")
        assert [line.split()[:2] for line in listed.out.splitlines()] == [
            ["ID", "KEY"],
            ["1", "team"],
            ["2", "environment"],
        ]
        assert listed.out.splitlines()[1].split()[2] == "-"

        deleted = k6cloud("labels", "delete", "1")
        assert deleted.out == "deleted label key 1\n"
        assert [k.key for k in server.call(lambda: server.fake.label_keys)] == ["environment"]
        as_json = k6cloud("labels", "delete", "2", "--json")
        assert (as_json.code, json.loads(as_json.out)) == (0, {"id": 2, "deleted": True})

    def test_rename_sends_only_the_key_without_a_description(
        self, server: ThreadedFake, k6cloud: Run
    ) -> None:
        server.call(server.fake.add_label_key, "env", "kept")

        assert k6cloud("labels", "rename", "1", "environment").code == 0

        assert server.fake.requests[-1].json == {"key": "environment"}
        assert server.call(lambda: server.fake.label_keys)[0].description == "kept"

    def test_a_taken_key_is_one_error_line(self, server: ThreadedFake, k6cloud: Run) -> None:
        server.call(server.fake.add_label_key, "team")
        assert "400 validation_error" in one_error_line(k6cloud("labels", "create", "team"))

    def test_a_bad_key_is_refused_before_any_request(
        self, server: ThreadedFake, k6cloud: Run
    ) -> None:
        result = k6cloud("labels", "create", "has space")

        assert result.code == 2  # a value the library refuses is a usage error
        assert result.err.startswith("error: ")
        assert "key" in result.err
        assert server.fake.requests == []

    def test_a_description_with_control_characters_is_escaped(
        self, server: ThreadedFake, k6cloud: Run
    ) -> None:
        server.call(server.fake.add_label_key, "team", "line\rover\x9b2J")

        result = k6cloud("labels", "list")

        assert "\r" not in result.out
        assert "\x9b" not in result.out
        assert "line\\rover\\x9b2J" in result.out

    def test_parse_keys(self) -> None:
        assert parse_keys(["a", "b=", "c=x=y"]) == {"a": None, "b": "", "c": "x=y"}


class TestLoginAndStackUrl:
    def test_login_prints_the_export_lines(
        self, server: ThreadedFake, k6cloud: Run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("K6_CLOUD_STACK_ID")

        result = k6cloud("login", "--stack-url", STACK_URL)

        assert result.code == 0, result
        assert result.out == (
            f"export K6_CLOUD_STACK_ID={server.fake.stack_id}\n"
            f"export K6_CLOUD_PROJECT_ID={server.project}\n"
        )
        assert server.fake.requests[-1].headers["X-Stack-Url"] == STACK_URL

    def test_login_json_is_one_object(
        self, server: ThreadedFake, k6cloud: Run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("K6_CLOUD_STACK_ID")
        monkeypatch.setenv("K6_CLOUD_STACK_URL", STACK_URL)

        result = k6cloud("login", "--json")

        assert result.json() == {"stack_id": server.fake.stack_id, "default_project_id": 1}

    def test_login_to_another_stack_is_one_error_line(
        self, server: ThreadedFake, k6cloud: Run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("K6_CLOUD_STACK_ID")
        line = one_error_line(k6cloud("login", "--stack-url", "https://other.grafana.net"))
        assert "403 forbidden" in line

    def test_login_with_a_bad_token_is_one_error_line(
        self, server: ThreadedFake, k6cloud: Run
    ) -> None:
        result = k6cloud("login", "--stack-url", STACK_URL, "--token", "wrong")
        assert "401 unauthorized" in one_error_line(result)

    def test_a_stack_id_and_a_stack_url_together_are_refused(
        self, server: ThreadedFake, k6cloud: Run
    ) -> None:
        result = k6cloud("zones", "list", "--stack-url", STACK_URL, "--stack-id", "1")
        assert "not both" in one_error_line(result)
        assert server.fake.requests == []

    def test_login_needs_a_stack_url(self, server: ThreadedFake, k6cloud: Run) -> None:
        assert "--stack-url" in one_error_line(k6cloud("login"))
        assert server.fake.requests == []

    def test_a_stack_url_stands_in_for_the_stack_id(
        self, server: ThreadedFake, k6cloud: Run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("K6_CLOUD_STACK_ID")

        result = k6cloud("labels", "list", "--stack-url", STACK_URL)

        assert result.code == 0, result
        auth, labels = server.fake.requests
        assert auth.path == "/cloud/v6/auth"
        assert labels.headers["X-Stack-Id"] == str(server.fake.stack_id)

    def test_no_stack_names_both_variables(
        self, server: ThreadedFake, k6cloud: Run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("K6_CLOUD_STACK_ID")
        line = one_error_line(k6cloud("zones", "list"))
        assert "K6_CLOUD_STACK_ID" in line
        assert "K6_CLOUD_STACK_URL" in line

    def test_a_bad_stack_url_is_one_error_line(
        self, server: ThreadedFake, k6cloud: Run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("K6_CLOUD_STACK_ID")
        assert "stack_url" in one_error_line(k6cloud("zones", "list", "--stack-url", "mystack"))

    def test_a_failed_resolution_is_one_error_line(
        self, server: ThreadedFake, k6cloud: Run, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("K6_CLOUD_STACK_ID")
        server.call(server.fake.inject, Fault.status(500), path="/cloud/v6/auth", times=3)
        line = one_error_line(k6cloud("zones", "list", "--stack-url", STACK_URL))
        assert line.startswith("error: 500")
