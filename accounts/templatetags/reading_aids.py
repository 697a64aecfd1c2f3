"""Template helpers of accounts.reading, for pages and e-mails alike: furigana on the
easy-Japanese body, and the reader's reading aid over a person's Japanese."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from accounts.languages import EASY_JAPANESE
from accounts.models import ReadingAid
from accounts.reading import easy_japanese_html, reading_aid_html

register = template.Library()


@register.filter(is_safe=True)
def easy_japanese(value: str) -> str:
    """A rendered body (``{% filter easy_japanese %}``): in easy Japanese, furigana on the
    kanji a first-year learner would not read; unchanged in every other language."""
    if get_language() != EASY_JAPANESE:
        return value
    return SafeString(easy_japanese_html(str(value)))


@register.simple_tag(takes_context=True)
def reading_aid(context: template.Context, text: str) -> str:
    """A person's Japanese (a chat message, an announcement, a family's own words) with the
    reader's reading aid: furigana, romaji, or unchanged."""
    user: Any = context.get("user")
    return reading_aid_html(text or "", getattr(user, "reading_aid", ReadingAid.OFF))


@register.simple_tag
def reading_aid_choices() -> list[tuple[str, str]]:
    """(value, label) of each reading aid, for the switch (frontend/partials/reading_aid.html)."""
    return [(str(value), str(label)) for value, label in ReadingAid.choices]
