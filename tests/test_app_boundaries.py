"""Apps depend one way: accounts <- matching <- chat <- frontend. An app imports nothing
downstream of it; its effects there go out as signals (``accounts.signals``,
``matching.signals``) that the downstream app connects."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _imported_apps(app: str) -> dict[str, set[str]]:
    """For each module of ``app`` (migrations aside), the top-level packages it imports."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("app", "downstream"),
    [
        ("accounts", {"matching", "chat", "frontend"}),
        ("matching", {"chat", "frontend"}),
        ("chat", {"frontend"}),
    ],
)
def test_an_app_imports_nothing_downstream_of_it(app: str, downstream: set[str]) -> None:
    offending = {
        module: sorted(names & downstream)
        for module, names in _imported_apps(app).items()
        if names & downstream
    }
    assert not offending
