"""Template helpers shared by every page (ours and the coordinator's)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def widget_type(field: BoundField) -> str:
    """``checkbox``, ``checkboxes``, ``radios``, ``select`` or ``input``: picks the markup."""
    name = field.field.widget.__class__.__name__
    return {
        "CheckboxInput": "checkbox",
        "CheckboxSelectMultiple": "checkboxes",
        "WeeklySlotsWidget": "checkboxes",
        "RadioSelect": "radios",
        "Select": "select",
        "SelectMultiple": "select",
        "Textarea": "textarea",
    }.get(name, "input")


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, *names: str) -> str:
    """``aria-current="page"`` when the current URL name is one of ``names``."""
    request: Any = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in names:
        return SafeString(' aria-current="page"')
    return ""


@register.filter
def day(value: Any) -> str:
    """A visit day (date or ISO string) with its weekday, in the active language."""
    from frontend.formatting import day_label

    return day_label(value) if value else ""


@register.filter
def moment(value: Any) -> str:
    """A date and time in Tokyo time, in the active language."""
    from frontend.formatting import moment_label

    return moment_label(value) if value else ""


@register.filter(is_safe=True)
def easy_japanese(value: str) -> str:
    """The layout's body: in easy Japanese, furigana on the kanji a first-year learner would
    not read (``accounts.reading.easy_japanese_html``); unchanged in every other language."""
    from django.utils.translation import get_language

    from accounts.languages import EASY_JAPANESE
    from accounts.reading import easy_japanese_html

    if get_language() != EASY_JAPANESE:
        return value
    return SafeString(easy_japanese_html(str(value)))


@register.simple_tag(takes_context=True)
def reading_aid(context: template.Context, text: str) -> str:
    """A person's Japanese (a chat message, an announcement, a family's own words) with the
    reader's reading aid: furigana, romaji, or unchanged (``accounts.reading``)."""
    from accounts.reading import reading_aid_html

    user: Any = context.get("user")
    return reading_aid_html(text or "", getattr(user, "reading_aid", "off") or "off")


@register.simple_tag
def reading_aid_choices() -> list[tuple[str, str]]:
    """(value, label) of each reading aid, for the switch (frontend/partials/reading_aid.html)."""
    from accounts.models import ReadingAid

    return [(str(value), str(label)) for value, label in ReadingAid.choices]
