"""Text from the API made safe to print: control characters shown as escapes.

A load test's name, an error message or any other string the API returns is written to a
terminal; an ESC sequence in it would move the cursor, retitle the window or hide lines,
and a bidirectional override would reorder what is shown. Those characters are printed as
Python-style escapes instead (``\\x1b``, ``\\u202e``); every other character, accents and
emoji included, is printed as it is.
"""

from __future__ import annotations

import re

__all__ = ["json_printable", "printable"]

# C0 and C1 controls and DEL; line and paragraph separators; the bidirectional marks,
# embeddings, overrides and isolates; lone surrogates (which stdout cannot encode).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
#: The same, less the C0 controls: JSON escapes those inside strings, and outside them they
#: are the document's own whitespace.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def printable(text: str) -> str:
    """``text`` with every unsafe character replaced by its escape (one line, no controls)."""
    if text.isascii() and text.isprintable():  # the common case, checked in C
        return text
    return _UNSAFE.sub(_escape, text)


def json_printable(document: str) -> str:
    """A serialised JSON document with the unsafe characters ``json.dumps`` leaves as they
    are written as ``\\uXXXX`` escapes.

    ``json.dumps(..., ensure_ascii=False)`` escapes C0 controls but writes DEL, C1 controls
    and bidirectional overrides raw. Outside strings a JSON document is ASCII (and its only
    controls are the whitespace between tokens, left alone here), so each such character
    sits inside a string, where ``\\uXXXX`` means the same character: the document still
    parses to the same value.
    """
    return _JSON_UNSAFE.sub(_json_escape, document)
