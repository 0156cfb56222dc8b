from __future__ import annotations

from django.utils import translation

from comparisons.models import place_name


def test_place_names_follow_the_interface_language() -> None:
    with translation.override("ar"):
        assert place_name("mushayrifa") == "المشيرفة"
    with translation.override("en"):
        assert place_name("mushayrifa") == "Mushayrifa"


def test_a_place_without_an_arabic_name_falls_back_to_english() -> None:
    with translation.override("ar"):
        assert place_name("mushayrifa-raqqa") == "Mushayrifa (Ain Issa)"


def test_an_unknown_place_shows_its_id() -> None:
    assert place_name("nowhere-at-all") == "nowhere-at-all"
