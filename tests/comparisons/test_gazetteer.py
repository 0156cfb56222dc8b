from __future__ import annotations

from comparisons.gazetteer import PLACES, PLACES_BY_ID, places_in, specificity


def test_finds_ain_issa_with_clitics() -> None:
    assert "ain-issa" in places_in("اشتباكات في محيط بلدة عين عيسى بريف الرقة")
    assert "raqqa" in places_in("انسحبوا باتجاه مدينة الرقة")
    assert "ain-issa" in places_in("وصلت التعزيزات لعين عيسى")


def test_finds_english_names() -> None:
    assert places_in("Clashes near Ain Issa on the M4") == ["ain-issa", "m4"]


def test_longest_name_wins() -> None:
    assert places_in("قصف على ريف دمشق") == ["rif-dimashq"]
    assert places_in("قصف على دمشق") == ["damascus"]


def test_mushayrifa_near_ain_issa_resolves_to_raqqa() -> None:
    assert "mushayrifa-raqqa" in places_in("سيطرت الفصائل على قرية المشيرفة شرق عين عيسى")


def test_mushayrifa_in_idlib_resolves_to_idlib() -> None:
    assert "mushayrifa-idlib" in places_in("قصف على قرية المشيرفة في ريف إدلب الجنوبي")


def test_mushayrifa_alone_stays_unresolved_and_weighs_nothing() -> None:
    assert places_in("اشتباكات في المشيرفة") == ["mushayrifa?"]
    assert specificity("mushayrifa?") == 0.0


def test_common_word_place_needs_context() -> None:
    assert places_in("أغلق الباب أمام المفاوضات") == ["al-bab?"]
    assert places_in("دخلت القوات مدينة الباب") == ["al-bab"]


def test_syria_carries_no_weight_and_towns_outweigh_governorates() -> None:
    assert specificity("syria") == 0.0
    assert specificity("ain-issa") > specificity("raqqa") > specificity("iraq")


def test_every_referent_and_governorate_exists() -> None:
    for place in PLACES:
        for ref in place.referents:
            assert ref == "not-a-place" or ref in PLACES_BY_ID
        if place.governorate:
            assert place.governorate in PLACES_BY_ID
