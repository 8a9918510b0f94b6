"""Text rules shared by every edge, so that text is what it looks like and SQLite and
PostgreSQL accept exactly the same data:

- control characters that PostgreSQL or a document renderer would choke on are refused;
- format characters (Unicode category Cf: zero-width spaces and joiners, bidi overrides such
  as U+202E, the byte-order mark, soft hyphens) are removed: they are invisible, or make the
  text display as something else;
- compatibility characters are replaced by what they look like (NFKC: fullwidth ``１２３`` is
  ``123``, the ligature ``ﬁ`` is ``fi``, a no-break space is a space), except superscripts,
  subscripts and vulgar fractions (``m²``, ``CO₂``, ``½``), which would change what the text
  says; the result is NFC. Vietnamese text in NFC is NFKC-stable, so it is never altered.

``fold`` is what texts are compared and searched by (no case, diacritics or spacing);
``skeleton`` adds the confusables of UTS #39, for the rule that titles must differ.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Final

from pydantic import AfterValidator, StringConstraints

from cchc_shared.contracts.confusables import TABLE as _CONFUSABLES

# C0/C1 control characters except TAB, LF, CR; NUL is the one PostgreSQL refuses outright.
_FORBIDDEN_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

# Every format character (Cf) of Unicode 15.1; a test checks it against the running Python's.
FORMAT_CHARACTERS: Final = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]+"
)

# Compatibility characters kept as they are: replacing them changes what the text says.
_MEANINGFUL_COMPATIBILITY: Final = ("<super>", "<sub>", "<fraction>")


def remove_format_characters(value: str) -> str:
    """``value`` without its format characters (Cf)."""
    return value if value.isascii() else FORMAT_CHARACTERS.sub("", value)


def normalise(value: str) -> str:
    """What ``value`` looks like: format characters removed, compatibility characters
    replaced (NFKC but superscripts, subscripts and fractions), in NFC."""
    if value.isascii():
        return value
    value = unicodedata.normalize("NFC", FORMAT_CHARACTERS.sub("", value))
    if unicodedata.is_normalized("NFKC", value):
        return value
    replaced = "".join(
        ch
        if unicodedata.decomposition(ch).startswith(_MEANINGFUL_COMPATIBILITY)
        else unicodedata.normalize("NFKC", ch)
        for ch in value
    )
    return unicodedata.normalize("NFC", replaced)


def clean_text(value: str, *, multiline: bool = True) -> str:
    """``normalise``d text; a control character (NUL included) is refused."""
    pattern = _FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_SINGLE_LINE
    found = pattern.search(value)
    if found:
        raise ValueError(
            f"contains a forbidden control character U+{ord(found.group()):04X} "
            "(ký tự điều khiển không được phép)"
        )
    return normalise(value)


def _single_line(value: str) -> str:
    return clean_text(value, multiline=False).strip()


def _multi_line(value: str) -> str:
    return clean_text(value, multiline=True).strip()


# The combining diacritics of Latin scripts (Vietnamese among them), removed in one pass.
_LATIN_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]+")


def fold(value: str) -> str:
    """Fold text for comparison and search: no format characters, compatibility forms,
    diacritics or case, single spaces.

    'Đ' does not decompose, so it is mapped explicitly.
    """
    return _fold(value, None)


def skeleton(value: str) -> str:
    """``fold``, with letters that look like a Latin letter or digit (Cyrillic 'а', Greek 'Ο')
    replaced by it: two texts that look the same have the same skeleton (UTS #39, for the
    letters of ``confusables.py``; case is ignored too). Vietnamese letters are folded as
    ``fold`` folds them."""
    return _fold(value, _CONFUSABLES)


def _fold(value: str, confusables: dict[int, str] | None) -> str:
    if value.isascii():
        return " ".join(value.casefold().split())
    value = FORMAT_CHARACTERS.sub("", value.replace("Đ", "D").replace("đ", "d"))
    decomposed = unicodedata.normalize("NFKD", value)
    if confusables is not None:
        decomposed = decomposed.translate(confusables)
    stripped = _LATIN_COMBINING_MARKS.sub("", decomposed)
    if not stripped.isascii():  # other scripts' nonspacing marks: the general, slower way
        stripped = "".join(ch for ch in stripped if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.casefold().split())


ShortText = Annotated[
    str, AfterValidator(_single_line), StringConstraints(min_length=1, max_length=300)
]
LongText = Annotated[
    str, AfterValidator(_multi_line), StringConstraints(min_length=1, max_length=20_000)
]
OptionalLongText = Annotated[str, AfterValidator(_multi_line), StringConstraints(max_length=20_000)]
