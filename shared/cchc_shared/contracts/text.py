"""Text rules shared by every edge: NFC normalisation and refusal of characters
that PostgreSQL or a document renderer would choke on, so SQLite and PostgreSQL
accept exactly the same data."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# C0/C1 control characters except TAB, LF, CR; NUL is the one PostgreSQL refuses outright.
_FORBIDDEN_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """Normalise to NFC and refuse control characters (NUL included)."""
    pattern = _FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_SINGLE_LINE
    found = pattern.search(value)
    if found:
        raise ValueError(
            f"contains a forbidden control character U+{ord(found.group()):04X} "
            "(ký tự điều khiển không được phép)"
        )
    return unicodedata.normalize("NFC", value)


def _single_line(value: str) -> str:
    return clean_text(value, multiline=False).strip()


def _multi_line(value: str) -> str:
    return clean_text(value, multiline=True).strip()


# The combining diacritics of Latin scripts (Vietnamese among them), removed in one pass.
_LATIN_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]+")


def fold(value: str) -> str:
    """Fold text for comparison and search: no diacritics, no case, single spaces.

    'Đ' does not decompose under NFD, so it is mapped explicitly.
    """
    decomposed = unicodedata.normalize("NFD", value.replace("Đ", "D").replace("đ", "d"))
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
