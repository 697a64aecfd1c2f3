"""mypy checks every app (pyproject's [tool.mypy]); what it is told to ignore says why, so the
next reader can tell a wrong stub or an untyped library from a real error left behind."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("accounts", "matching", "chat", "frontend", "config")
IGNORE = re.compile(r"#\s*type:\s*ignore\b(?P<codes>\[[^\]]*\])?(?P<rest>.*)")
# An ignore's error codes, then its reason as a comment of its own: "  # celery has no types".
EXPLAINED = re.compile(r"\[[a-z-]+(, *[a-z-]+)*\]")
REASON = re.compile(r"\s+#\s*\S")


def _ignores(source: str) -> list[tuple[int, str]]:
    """The ``type: ignore`` comments of a module, as (line, comment); strings do not count."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        (token.start[0], token.string)
        for token in tokens
        if token.type == tokenize.COMMENT and IGNORE.search(token.string)
    ]


def _explained(comment: str) -> bool:
    match = IGNORE.search(comment)
    assert match is not None
    codes = EXPLAINED.fullmatch(match.group("codes") or "")
    return codes is not None and REASON.match(match.group("rest")) is not None


def _unexplained() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, comment in _ignores(path.read_text(encoding="utf-8")):
                if not _explained(comment):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {comment}")
    return found


def test_every_type_ignore_names_its_error_code_and_its_reason() -> None:
    assert _unexplained() == []


def test_the_check_tells_an_explained_ignore_from_a_bare_one() -> None:
    source = (
        "a = 1  # type: ignore[misc]  # channels_redis ships no types\n"
        "b = 2  # type: ignore[misc]\n"
        "c = 3  # type: ignore\n"
        'd = "# type: ignore"\n'
    )
    assert [_explained(comment) for _line, comment in _ignores(source)] == [True, False, False]
