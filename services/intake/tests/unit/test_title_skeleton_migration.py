"""Migration 0003 carries its own copy of the text rules (``fold``, ``skeleton`` and the
confusables they use), so that it does tomorrow what it did when it was written. Today that
copy and the live rules agree: a change to the live rules that makes them differ fails here,
and is then a choice made knowingly (this test is updated, the migration is not)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from cchc_intake.bootstrap import MIGRATIONS
from cchc_shared.contracts.confusables import LOOKALIKES
from cchc_shared.contracts.text import fold, skeleton
from cchc_shared.reference import load_agencies
from cchc_tools.demo.texts import TEMPLATES

NFD = "Sa\u0301ng kie\u0302\u0301n ĐỔI MỚI đô thị"  # decomposed, as some keyboards type it
TITLE = "Mô hình “Một cửa số hóa” tại phường năm 2024"
# Titles that only look like TITLE, as the security suite submits them, and other edges.
TRICKY = [
    TITLE,
    TITLE.replace(" ", " \u200b"),
    TITLE.replace("cửa", "c\u200dửa\u2060"),
    TITLE.replace("phường", "\u202ephường\u202c"),
    "\ufeff" + TITLE.replace("số hóa", "số\u00ad hóa"),
    TITLE.replace("2024", "２０２４"),
    TITLE.replace("cửa", "cử\u0430").replace("số", "s\u043e\u0302\u0301"),
    TITLE.upper().replace("M", "\u041c").replace("T", "\u0422"),
    TITLE.replace("tại", "tạ\u03b9").replace("hóa", "h\u03bf\u0301a"),
    NFD,
    "Cải tạo 1.000 m² nhà, giảm ½ lượng CO₂",
    "ﬁle Ｔｈủ tục\u00a0hành   chính",
    "Plain ASCII title, Mixed CASE  and   spaces",
    "Наш проект ΟΜΟΙΟ",  # whole words of other scripts
    "नमस्ते an Devanagari title",  # other scripts' nonspacing marks
    "",
    NFD.lower(),
]


def _migration() -> ModuleType:
    [path] = Path(MIGRATIONS, "versions").glob("0003_*.py")
    spec = importlib.util.spec_from_file_location("intake_migration_0003", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FROZEN = _migration()
REAL = (
    [t.title for area in TEMPLATES.values() for t in area]
    + [t.summary for area in TEMPLATES.values() for t in area]
    + [agency.name for agency in load_agencies().values()]
)
# Every look-alike the live table knows, in a title.
LOOKALIKE_TITLES = [f"Sáng kiến {ch}{ch.upper()}{ch.lower()} số {ch}" for ch in LOOKALIKES]


def test_the_migration_does_not_import_the_live_rules() -> None:
    source = Path(FROZEN.__file__ or "").read_text(encoding="utf-8")
    imports = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert imports and not any("cchc_" in line for line in imports), imports


def test_the_frozen_confusables_are_the_live_ones_today() -> None:
    assert {ord(ch): target for ch, target in LOOKALIKES.items()} == FROZEN._CONFUSABLES


@pytest.mark.parametrize(
    "texts", [TRICKY, REAL, LOOKALIKE_TITLES], ids=["look-alikes", "real", "every-lookalike"]
)
def test_the_frozen_rules_agree_with_the_live_ones_today(texts: list[str]) -> None:
    assert len(texts) >= 17
    for text in texts:
        assert FROZEN.fold(text) == fold(text), text
        assert FROZEN.skeleton(text) == skeleton(text), text
    # the set is not trivial: the look-alikes fold apart and share one skeleton
    if texts is TRICKY:
        assert len({fold(t) for t in TRICKY[:9]}) > 1
        assert {FROZEN.skeleton(t) for t in TRICKY[:9]} == {skeleton(TITLE)}
