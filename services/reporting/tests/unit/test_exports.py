"""Exports never carry a live formula: text that begins like one is quoted in CSV and a string
cell in XLSX; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from cchc_reporting.adapters.exports import Column, Sheet, formula_like, to_csv, to_xlsx

FORMULAS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\r=1")
PLAIN = ("Mô hình “Một cửa”", "1 cửa", "a=b", "", "Quận 1 - phường Bến Nghé")
COLUMNS = (
    Column("Tên", "text", 40, lambda r: r[0]),
    Column("Số phiếu", "int", 8, lambda r: r[1]),
    Column("Điểm", "score", 8, lambda r: r[2]),
)


def sheet(texts: tuple[str, ...]) -> Sheet:
    rows: list[tuple[Any, ...]] = [(t, -i, -1.5 * i) for i, t in enumerate(texts, start=1)]
    return Sheet("Thử", COLUMNS, rows)


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_begins_like_a_formula_is_formula_like(text: str) -> None:
    assert formula_like(text)


@pytest.mark.parametrize("text", PLAIN)
def test_other_text_and_numbers_are_not(text: str) -> None:
    assert not formula_like(text)
    assert not formula_like(-1) and not formula_like(None)


def test_csv_quotes_formula_text_and_leaves_numbers_alone() -> None:
    rows = list(csv.reader(io.StringIO(to_csv(sheet(FORMULAS + PLAIN)).decode("utf-8-sig"))))
    body = rows[1:]
    assert [r[0] for r in body] == ["'" + t for t in FORMULAS] + list(PLAIN)
    assert [r[1] for r in body] == [str(-i) for i in range(1, len(body) + 1)]
    assert body[0][2] == "-1,50"  # Vietnamese decimal comma, as in the documents


def test_xlsx_writes_formula_text_as_string_cells_and_numbers_as_numbers() -> None:
    data = to_xlsx(sheet(FORMULAS + PLAIN))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml
    worksheet = load_workbook(io.BytesIO(data)).active
    assert worksheet is not None
    texts, counts, scores = (list(col)[1:] for col in worksheet.iter_cols())
    assert [c.value for c in texts[: len(FORMULAS)]] == list(FORMULAS)
    assert all(c.data_type == "s" and c.quotePrefix for c in texts[: len(FORMULAS)])
    assert all(c.data_type == "n" for c in (*counts, *scores))
    assert counts[0].value == -1 and scores[0].value == -1.5
