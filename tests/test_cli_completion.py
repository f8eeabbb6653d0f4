"""``k6cloud completion SHELL``: the script shtab generates, completing in a real bash."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from _cli_support import k6cloud_fixture  # noqa: F401  (fixture)

pytest.importorskip("shtab")

BASH = shutil.which("bash")


def complete(script: Path, words: list[str], cwd: Path) -> list[str]:
    """What bash offers for the last of ``words`` with the completion ``script`` loaded."""
    line = " ".join(words)
    program = f"""
source {script}
COMP_WORDS=({" ".join(repr(word) for word in words)})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE={line!r}
COMP_POINT=${{#COMP_LINE}}
_shtab_k6cloud k6cloud "${{COMP_WORDS[-1]}}" "${{COMP_WORDS[-2]}}"
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    assert BASH is not None
    process = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", program],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return [word for word in process.stdout.splitlines() if word]


@pytest.fixture
def bash_script(k6cloud: Any, tmp_path: Path) -> Path:
    result = k6cloud("completion", "bash")
    assert result.code == 0, result.err
    script = tmp_path / "k6cloud.bash"
    script.write_text(result.out)
    return script


@pytest.mark.skipif(BASH is None, reason="needs bash")
@pytest.mark.parametrize(
    ("words", "offered"),
    [
        (["k6cloud", "te"], ["tests"]),
        (["k6cloud", "tests", "st"], ["start"]),
        (["k6cloud", "runs", "list", "--order"], ["--order-by"]),
        (["k6cloud", "completion", "z"], ["zsh"]),
        (["k6cloud", "--js"], ["--json"]),
    ],
)
def test_bash_completes_commands_and_options(
    bash_script: Path, tmp_path: Path, words: list[str], offered: list[str]
) -> None:
    assert complete(bash_script, words, tmp_path) == offered


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_bash_completes_a_script_argument_with_file_names(
    bash_script: Path, tmp_path: Path
) -> None:
    (tmp_path / "smoke.js").write_text("export default function () {}\n")

    assert complete(bash_script, ["k6cloud", "script", "upload", "1", "smo"], tmp_path) == [
        "smoke.js"
    ]


@pytest.mark.parametrize("shell", ["zsh", "tcsh"])
def test_other_shells_get_a_script_naming_every_command(k6cloud: Any, shell: str) -> None:
    result = k6cloud("completion", shell)

    assert result.code == 0
    for command in ("tests", "script", "runs", "validate", "fake-server", "demo"):
        assert command in result.out
