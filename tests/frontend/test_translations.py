"""Every message is translated in each of the seven languages, and the compiled catalogues
match the sources.

Decision: English is the source language. ``locale/en`` holds ``msgstr == msgid`` for every
entry (so English is an explicit, complete catalogue too); every other locale holds its own
translation of every message, with the same placeholders, none fuzzy, none left over from an
older source (stale). ``.mo`` files are committed so that running the site needs no gettext tools.
"""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
ROOT = Path(settings.BASE_DIR)

# Locale directories (``to_locale`` of accounts.languages.CODES), English first: the source.
LOCALES = ("en", "ja", "ja_Easy", "zh_Hans", "vi", "ne", "ko")
TRANSLATED = LOCALES[1:]
# Catalogues whose translators are still at work: checked for placeholders, fuzzy and stale
# entries like every other, but not yet for completeness. Empty once every translation is in.
PENDING_TRANSLATION: frozenset[str] = frozenset()


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


def catalogue(locale: str) -> list[dict]:
    return parse_po(LOCALE / locale / "LC_MESSAGES" / "django.po")


@pytest.fixture(scope="module")
def ja_entries() -> list[dict]:
    return catalogue("ja")


def test_the_locales_are_the_languages_of_the_settings() -> None:
    from django.utils.translation import to_locale

    assert tuple(to_locale(code) for code, _name in settings.LANGUAGES) == (
        "ja",
        "en",
        "ja_Easy",
        "zh_Hans",
        "vi",
        "ne",
        "ko",
    )
    assert sorted(LOCALES) == sorted(to_locale(code) for code, _name in settings.LANGUAGES)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_message_is_translated(locale: str) -> None:
    if locale in PENDING_TRANSLATION:
        pytest.skip(f"{locale}: translation pending (PENDING_TRANSLATION)")
    entries = catalogue(locale)
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not all(e.get("msgstr", {0: ""}).values())]
    assert not untranslated, f"{locale} untranslated: {untranslated[:20]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_no_message_is_fuzzy_or_stale(locale: str, ja_entries) -> None:
    """Fuzzy: a guess by msgmerge nobody checked. Stale: a message the sources no longer have
    (an obsolete ``#~`` entry), or one the source catalogue lacks (makemessages not run)."""
    path = LOCALE / locale / "LC_MESSAGES" / "django.po"
    entries = catalogue(locale)
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]
    assert not fuzzy, f"{locale} fuzzy: {fuzzy[:20]}"
    obsolete = [line for line in path.read_text("utf-8").splitlines() if line.startswith("#~")]
    assert not obsolete, f"{locale} obsolete: {obsolete[:5]}"
    source = {(e.get("msgctxt"), e["msgid"]) for e in catalogue("en")}
    here = {(e.get("msgctxt"), e["msgid"]) for e in entries}
    assert here == source, (
        f"{locale}: run makemessages for every locale; missing {sorted(source - here)[:5]}, "
        f"stale {sorted(here - source)[:5]}"
    )


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_translation_has_the_placeholders_of_its_source(locale: str) -> None:
    """``%(name)s``, ``%s`` and ``{0}`` come through unchanged: a lost or misspelt one raises
    or prints nothing when the page is rendered."""
    wrong = []
    for entry in catalogue(locale):
        sources = {tuple(placeholders(entry["msgid"]))}
        if "msgid_plural" in entry:
            sources.add(tuple(placeholders(entry["msgid_plural"])))
        wrong.extend(
            (entry["msgid"], text)
            for text in entry.get("msgstr", {}).values()
            if text and tuple(placeholders(text)) not in sources
        )
    assert not wrong, f"{locale} placeholders differ: {wrong[:10]}"


def test_english_catalogue_is_complete_and_equals_the_source() -> None:
    entries = parse_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    for entry in entries:
        strings = entry.get("msgstr", {})
        assert strings.get(0) == entry["msgid"], entry["msgid"]
        if "msgid_plural" in entry:
            assert strings.get(1) == entry["msgid_plural"], entry["msgid"]
        assert "fuzzy" not in entry.get("flags", set()), entry["msgid"]


@pytest.mark.parametrize("language", LOCALES)
def test_compiled_catalogue_matches_the_po(language: str) -> None:
    """The committed .mo says exactly what the .po says (nobody forgot compilemessages)."""
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert mo.exists(), f"{mo} is missing: run compilemessages"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in parse_po(po):
        if not entry["msgstr"][0]:
            continue  # untranslated (PENDING_TRANSLATION): msgfmt leaves it out of the .mo
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


def glossary() -> list[tuple[list[str], dict[str, str]]]:
    """The rows of locale/GLOSSARY.md's table: English forms, and the term per locale."""
    lines = (LOCALE / "GLOSSARY.md").read_text("utf-8").splitlines()
    table = [line for line in lines if line.startswith("|")]
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    rows = []
    for line in table[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        terms = dict(zip(header[1:], cells[1:], strict=True))
        rows.append(
            (
                [form.strip() for form in cells[0].split(" / ")],
                {translation.to_locale(code): term for code, term in terms.items()},
            )
        )
    return rows


def test_the_glossary_has_a_column_per_translated_language() -> None:
    rows = glossary()
    assert len(rows) >= 8
    for english, terms in rows:
        assert set(terms) == set(TRANSLATED), english


@pytest.mark.parametrize("locale", TRANSLATED)
def test_glossary_terms_are_used_everywhere(locale: str) -> None:
    """Every translated message whose source has a glossary word uses its fixed term."""
    wrong = []
    entries = catalogue(locale)
    for english, terms in glossary():
        term = terms[locale]
        if not term:
            continue
        forms = "|".join(re.escape(form) for form in english)
        pattern = re.compile(rf"\b(?:{forms})\b", re.IGNORECASE)
        for entry in entries:
            sources = [entry["msgid"], entry.get("msgid_plural", "")]
            if not any(pattern.search(text) for text in sources):
                continue
            wrong.extend(
                (term, entry["msgid"], text)
                for text in entry.get("msgstr", {}).values()
                if text and term.casefold() not in text.casefold()
            )
    assert not wrong, f"{locale}: glossary term missing in {len(wrong)}: {wrong[:10]}"


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
