"""Every message has a Japanese translation, and the compiled catalogues match the sources.

Decision: English is the source language. ``locale/en`` holds ``msgstr == msgid`` for every
entry (so English is an explicit, complete catalogue too); ``locale/ja`` holds the Japanese.
``.mo`` files are committed so that running the site needs no gettext tools.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
ROOT = Path(settings.BASE_DIR)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: entries with msgctxt, msgid, msgid_plural, msgstr(s) and flags."""
    entries: list[dict] = []
    entry: dict = {}
    field: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry
        if "msgid" in entry and not entry.get("obsolete"):
            entries.append(entry)
        entry = {}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            field = None
            continue
        if line.startswith("#~"):
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            key, index, value = match.group(1), match.group(2), ast.literal_eval(match.group(3))
            if key == "msgstr":
                entry.setdefault("msgstr", {})[int(index or 0)] = value
                field = ("msgstr", int(index or 0))
            else:
                entry[key] = value
                field = (key, -1)
            continue
        if line.startswith('"') and field is not None:
            value = ast.literal_eval(line)
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += value
            else:
                entry[field[0]] += value
    finish()
    return [e for e in entries if e["msgid"]]  # the header has an empty msgid


@pytest.fixture(scope="module")
def ja_entries() -> list[dict]:
    return parse_po(LOCALE / "ja" / "LC_MESSAGES" / "django.po")


def test_every_japanese_message_is_translated_and_not_fuzzy(ja_entries) -> None:
    assert len(ja_entries) > 100
    untranslated = [e["msgid"] for e in ja_entries if not all(e.get("msgstr", {0: ""}).values())]
    fuzzy = [e["msgid"] for e in ja_entries if "fuzzy" in e.get("flags", set())]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_english_catalogue_is_complete_and_equals_the_source() -> None:
    entries = parse_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    for entry in entries:
        strings = entry.get("msgstr", {})
        assert strings.get(0) == entry["msgid"], entry["msgid"]
        if "msgid_plural" in entry:
            assert strings.get(1) == entry["msgid_plural"], entry["msgid"]
        assert "fuzzy" not in entry.get("flags", set()), entry["msgid"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_compiled_catalogue_matches_the_po(language: str) -> None:
    """The committed .mo says exactly what the .po says (nobody forgot compilemessages)."""
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), f"{mo} is missing: run compilemessages"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in parse_po(po):
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            got = (
                catalogue.npgettext(context, entry["msgid"], entry["msgid_plural"], 1)
                if context
                else catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            )
        else:
            got = (
                catalogue.pgettext(context, entry["msgid"])
                if context
                else catalogue.gettext(entry["msgid"])
            )
        assert got == entry["msgstr"][0], f"{language}: {entry['msgid']!r} differs in the .mo"


TEMPLATE_STRING = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
PYTHON_STRING = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*"((?:[^"\\]|\\.)+)"\s*\)""")


def _source_strings() -> set[str]:
    found: set[str] = set()
    for app in ("frontend", "accounts", "matching", "chat", "config"):
        for path in (ROOT / app).rglob("*.html"):
            found.update(m.group(2) for m in TEMPLATE_STRING.finditer(path.read_text("utf-8")))
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in PYTHON_STRING.finditer(path.read_text("utf-8")):
                found.add(ast.literal_eval(f'"{match.group(1)}"'))
    return found


def test_catalogue_is_up_to_date_with_the_sources(ja_entries) -> None:
    """A string added in a template or in Python after the last makemessages fails here."""
    known = {e["msgid"] for e in ja_entries}
    missing = sorted(s for s in _source_strings() if s not in known)
    assert not missing, f"run makemessages and translate: {missing[:20]}"
