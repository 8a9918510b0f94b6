"""Text is what it looks like: format characters, compatibility forms and look-alike letters
neither hide in stored text nor make two titles differ; Vietnamese text is left as it is."""

from __future__ import annotations

import itertools
import sys
import unicodedata

import pytest
from pydantic import TypeAdapter, ValidationError

from cchc_shared.contracts.confusables import LOOKALIKES
from cchc_shared.contracts.text import (
    FORMAT_CHARACTERS,
    LongText,
    ShortText,
    clean_text,
    fold,
    normalise,
    remove_format_characters,
    skeleton,
)

LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
VIETNAMESE_LETTERS = LOWER + LOWER.upper()
TITLE = "Mô hình “Một cửa liên thông” tại Quận 1 năm 2023"


def test_the_pattern_holds_every_format_character_of_this_python() -> None:
    cf = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert cf
    assert all(FORMAT_CHARACTERS.fullmatch(ch) for ch in cf)
    assert not FORMAT_CHARACTERS.search(VIETNAMESE_LETTERS + " \t\n\r0123456789.,;:!?\"'()")


@pytest.mark.parametrize(
    "hidden", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066"]
)
def test_format_characters_are_removed(hidden: str) -> None:
    spoiled = TITLE.replace(" ", f" {hidden}", 3)
    assert remove_format_characters(spoiled) == TITLE
    assert clean_text(spoiled) == TITLE
    assert TypeAdapter(ShortText).validate_python(hidden + spoiled + hidden) == TITLE


def test_vietnamese_text_in_nfc_is_nfkc_stable_and_left_as_it_is() -> None:
    for letter in VIETNAMESE_LETTERS:
        assert unicodedata.is_normalized("NFKC", letter), letter
    text = f"{VIETNAMESE_LETTERS} — Sở Nội vụ TP. Hồ Chí Minh: 98% hồ sơ đúng hạn."
    assert normalise(text) == unicodedata.normalize("NFKC", text) == text
    assert normalise(unicodedata.normalize("NFD", text)) == text  # NFC, as before


def test_compatibility_forms_become_what_they_look_like() -> None:
    assert normalise("Quận １ năm ２０２３") == "Quận 1 năm 2023"
    assert normalise("Ｓáng kiến") == "Sáng kiến"  # a fullwidth letter, then the accent: NFC
    assert normalise("hiệu quả\u00a0cao, ﬁle…") == "hiệu quả cao, file..."


def test_superscripts_subscripts_and_fractions_keep_their_meaning() -> None:
    text = "Cải tạo 1.000 m² nhà, giảm ½ lượng CO₂"
    assert normalise(text) == text
    assert fold(text) == fold("Cai tao 1.000 m2 nha, giam 1⁄2 luong CO2")  # compared as NFKC


def test_control_characters_are_still_refused() -> None:
    with pytest.raises(ValueError, match="U\\+0000"):
        clean_text("a\x00b")
    with pytest.raises(ValidationError):
        TypeAdapter(ShortText).validate_python("a\nb")
    assert TypeAdapter(LongText).validate_python("a\n\u200bb") == "a\nb"


def test_fold_is_unchanged_for_vietnamese_and_ascii() -> None:
    assert fold("  Sáng   kiến ĐỔI MỚI ") == "sang kien doi moi"
    assert fold(unicodedata.normalize("NFD", "Đường Nguyễn Huệ")) == "duong nguyen hue"
    assert fold("Plain ASCII  Title") == "plain ascii title"


def test_fold_ignores_invisible_characters_and_fullwidth_forms() -> None:
    assert fold("Quận\u200b １") == fold("Quận 1") == "quan 1"


@pytest.mark.parametrize(
    "lookalike",
    [
        TITLE.replace("cửa", "\u0441ửa"),  # Cyrillic с
        TITLE.replace("cửa", "cử\u0430"),  # Cyrillic а
        TITLE.replace("tại", "tạ\u0456"),  # Cyrillic і
        TITLE.replace("M", "\u039c"),  # Greek Μ
        TITLE.upper().replace("I", "\u0406"),  # Cyrillic І, upper case
        TITLE.replace("Quận", "Qu\u0430\u0323\u0302n"),  # Cyrillic а with Vietnamese marks
        "Mô hình “Một cửa liên thông” tại Quận １ năm ２０２３",  # fullwidth digits
        "Mô\u200b hình “Một cửa liên\u202e thông” tại Quận 1 năm 2023",  # zero-width, bidi
    ],
)
def test_skeleton_reads_lookalikes_as_the_latin_letters(lookalike: str) -> None:
    assert lookalike != TITLE
    assert skeleton(lookalike) == skeleton(TITLE)


def test_skeleton_keeps_what_fold_keeps_apart() -> None:
    titles = ["Một cửa", "Một cửa liên thông", "Mô hình 1", "Mô hình 2", "Mô hình I"]
    assert len({skeleton(t) for t in titles}) == len(titles)
    for a, b in itertools.combinations([*VIETNAMESE_LETTERS, *"0123456789"], 2):
        assert (skeleton(a) == skeleton(b)) == (fold(a) == fold(b)), (a, b)
    assert skeleton(TITLE) == fold(TITLE)


def test_the_lookalike_table_maps_letters_to_ascii_letters_or_digits() -> None:
    for source, target in LOOKALIKES.items():
        assert not source.isascii() and unicodedata.normalize("NFKC", source) == source
        assert unicodedata.category(source).startswith("L"), source
        assert target.isascii() and target.isalnum() and len(target) == 1, source
