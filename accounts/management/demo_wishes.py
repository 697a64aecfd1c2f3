"""The demo people's own wishes for the home and the homes' matching facts, by e-mail local
part: fixed (no draws from the demo's generator, so everyone else's details stay the same), and
chosen so that every rule shows up in a round and most students can still be placed."""

from __future__ import annotations

from typing import Any

STUDENT_WISHES: dict[str, dict[str, Any]] = {
    "lan.nguyen": {"household_preference": "woman_at_home"},
    "ha.pham": {"avoid_pets": ["dog"], "needs_alcohol_free": True},
    "jing.chen": {"children_preference": "with_children"},
    "jiho.park": {"children_preference": "without_children"},
    "putri.lestari": {"needs_prayer_space": True, "household_preference": "woman_at_home"},
    "rizki.muhammad": {"needs_prayer_space": True, "needs_alcohol_free": True},
    "dewi.anggraini": {"needs_prayer_space": True},
    "hannah.goldberg": {"avoid_pets": ["dog", "cat"]},
    "beatriz.costa": {"avoid_pets": ["bird"]},
    "nimal.perera": {"needs_step_free": True},
    "aisyah.nurul": {"household_preference": "women_only", "needs_prayer_space": True},
    "dilshod.karimov": {"needs_alcohol_free": True},
    "enkhjin.bold": {"allergies": ["rabbit"]},
}

HOME_FACTS: dict[str, dict[str, Any]] = {
    "sato": {"easy_japanese": True, "step_free": True},
    "suzuki": {"easy_japanese": True},
    "tanaka": {"pets": ["rabbit"], "easy_japanese": True},
    "ito": {"household_genders": "women_only", "alcohol_free": True, "prayer_space": True},
    "watanabe": {"easy_japanese": True, "step_free": True, "alcohol_free": True},
    "yamamoto": {"easy_japanese": True, "pets": ["bird"]},
    "kobayashi": {"prayer_space": True, "easy_japanese": True},
    "yamada": {"household_genders": "men_only"},
    "hayashi": {"easy_japanese": True, "step_free": True},
    "yamazaki": {"alcohol_free": True, "prayer_space": True, "easy_japanese": True},
    "mori": {"easy_japanese": True},
}


def with_wishes(local: str, profile: dict[str, Any]) -> dict[str, Any]:
    """The student's profile with the wishes listed for them (list fields are added to)."""
    return _merged(profile, STUDENT_WISHES.get(local, {}))


def with_home_facts(local: str, profile: dict[str, Any]) -> dict[str, Any]:
    """The family's profile with the facts listed for its home (pets are added to)."""
    return _merged(profile, HOME_FACTS.get(local, {}))


def _merged(profile: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(profile)
    for key, value in extra.items():
        out[key] = sorted({*out.get(key, []), *value}) if isinstance(value, list) else value
    return out
