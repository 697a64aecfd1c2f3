"""The station picker: stations grouped by line in the reader's language, each option carrying
what the search box (static/frontend/js/profile.js) matches: both names, the reading in
hiragana (``accounts.station_readings``) and the romanised id, so 吉祥寺, きちじょうじ, キチジョウジ
and "kichijoji" all find it, in either language of the page."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.selectors import stations
from accounts.station_readings import STATION_READINGS

# Line names are stored in English only; these give them a label in the user's language.
LINE_LABELS: dict[str, Promise] = {
    "JR Chūō Line (Rapid)": _("JR Chūō Line (Rapid)"),
    "JR Chūō-Sōbu Line": _("JR Chūō-Sōbu Line"),
    "JR Musashino Line": _("JR Musashino Line"),
    "JR Nambu Line": _("JR Nambu Line"),
    "JR Yamanote Line": _("JR Yamanote Line"),
    "JR Ōme Line": _("JR Ōme Line"),
    "Keiō Inokashira Line": _("Keiō Inokashira Line"),
    "Keiō Line": _("Keiō Line"),
    "Keiō Sagamihara Line": _("Keiō Sagamihara Line"),
    "Odakyū Line": _("Odakyū Line"),
    "Odakyū Odawara Line": _("Odakyū Odawara Line"),
    "Seibu Haijima Line": _("Seibu Haijima Line"),
    "Seibu Ikebukuro Line": _("Seibu Ikebukuro Line"),
    "Seibu Kokubunji Line": _("Seibu Kokubunji Line"),
    "Seibu Shinjuku Line": _("Seibu Shinjuku Line"),
    "Seibu Tamagawa Line": _("Seibu Tamagawa Line"),
    "Seibu Tamako Line": _("Seibu Tamako Line"),
    "Seibu Toshima Line": _("Seibu Toshima Line"),
    "Seibu Yūrakuchō Line": _("Seibu Yūrakuchō Line"),
    "Tama Monorail": _("Tama Monorail"),
    "Toei Shinjuku Line": _("Toei Shinjuku Line"),
    "Toei Ōedo Line": _("Toei Ōedo Line"),
    "Tokyo Metro Fukutoshin Line": _("Tokyo Metro Fukutoshin Line"),
    "Tokyo Metro Ginza Line": _("Tokyo Metro Ginza Line"),
    "Tokyo Metro Hanzōmon Line": _("Tokyo Metro Hanzōmon Line"),
    "Tokyo Metro Marunouchi Line": _("Tokyo Metro Marunouchi Line"),
    "Tokyo Metro Tōzai Line": _("Tokyo Metro Tōzai Line"),
    "Tōkyū Den-en-toshi Line": _("Tōkyū Den-en-toshi Line"),
    "Tōkyū Tōyoko Line": _("Tōkyū Tōyoko Line"),
}


def line_label(line: str) -> str:
    return str(LINE_LABELS.get(line, line))


def station_choices() -> list[tuple[str, Any]]:
    """Stations grouped by their first line, names in the active language."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for station in stations():
        first_line = station.lines.split(",")[0].strip() if station.lines else ""
        group = line_label(first_line) if first_line else str(_("Other stations"))
        groups.setdefault(group, []).append((station.slug, station.label()))
    ordered: list[tuple[str, Any]] = sorted(groups.items(), key=lambda item: str(item[0]))
    return [("", _("Choose a station")), *ordered]


def station_search_terms() -> dict[str, str]:
    """What the search matches for each station, by slug."""
    return {
        station.slug: " ".join(
            (station.name_ja, station.name_en, STATION_READINGS.get(station.slug, ""), station.slug)
        )
        for station in stations()
    }


class StationSelect(forms.Select):
    """A select whose options carry their search terms (``data-search``), followed by the
    search box's words for the script that adds it, as markup (``partials/script_texts.html``,
    so that they get their furigana on an easy-Japanese page)."""

    template_name = "frontend/widgets/station_select.html"
    TEXTS: ClassVar[dict[str, Promise]] = {
        "filter": _("Search stations"),
        "help": _("By name, in kanji, kana or romaji."),
        "count": _("Stations found: %(n)s"),
        "none": _("No station matches this search."),
    }

    def __init__(self) -> None:
        super().__init__(attrs={"data-station-filter": "station-filter"})
        self._terms: dict[str, str] | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["station_texts"] = self.TEXTS
        return context

    def create_option(
        self,
        name: str,
        value: Any,
        label: int | str,
        selected: bool,
        index: int,
        subindex: int | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            if self._terms is None:
                self._terms = station_search_terms()
            option["attrs"]["data-search"] = self._terms.get(str(value), "")
        return option
