"""Title keys by confusables skeleton: invisible characters, compatibility forms and Cyrillic
or Greek look-alikes of Latin letters no longer make two titles differ.

Recomputes ``initiatives.title_key`` (and the folded ``search_text``, ``agencies.name_key``)
with the rules of this revision (frozen below). A live initiative whose new key would equal
another live initiative's (a duplicate that got past the old rule) keeps its old key, and is
logged, so the upgrade never fails on the unique index; a person decides which one to
withdraw.

Revision ID: 0003
Revises: 0002
"""

import logging
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

# -- the text rules as this revision applied them ------------------------------------------
# Frozen here, not imported: a migration must do tomorrow what it did when it was written,
# whatever becomes of cchc_shared.contracts.text. A test compares them with the live rules
# (services/intake/tests/unit/test_title_skeleton_migration.py); if the live rules change on
# purpose, that test is updated, never this copy. (Unicode's own tables are those of the
# running Python, as they were for the live rules.)

# Every format character (Cf) of Unicode 15.1.
_FORMAT_CHARACTERS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]+"
)
_LATIN_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]+")

# The letter or digit each of these look-alikes stands for (UTS #39 confusables.txt 14.0.0,
# the subset of cchc_shared.contracts.confusables when this revision was written).
_LOOKALIKES_OF = {
    "2": "\u01a7\ua644\ua75a",
    "3": "\u01b7\u021c\u0417\u04e0\ua76a\ua7ab",
    "5": "\u01bc",
    "6": "\u0431",
    "8": "\u0222\u0223",
    "9": "\ua76e",
    "A": "\u0391\u0410",
    "a": "\u0251\u03b1\u0430",
    "B": "\u0392\u0412\ua7b4",
    "b": "\u0184\u042c",
    "C": "\u0421",
    "c": "\u0441\u1d04",
    "d": "\u0501",
    "E": "\u0395\u0415",
    "e": "\u0435\u04bd\uab32",
    "F": "\u03dc\ua798",
    "f": "\u1e9d\ua799\uab35",
    "G": "\u050c",
    "g": "\u018d\u0261\u1d83",
    "H": "\u0397\u041d",
    "h": "\u04bb",
    "I": "\u0196\u0399\u0406\u04c0",
    "i": "\u0131\u0269\u026a\u03b9\u0456\u04cf\ua647",
    "J": "\u037f\u0408\ua7b2",
    "j": "\u03f3\u0458",
    "K": "\u039a\u041a",
    "l": "\u01c0",
    "M": "\u039c\u03fa\u041c",
    "N": "\u039d",
    "O": "\u039f\u041e",
    "o": "\u03bf\u03c3\u043e\u1d0f\u1d11\uab3d",
    "P": "\u03a1\u0420",
    "p": "\u03c1\u0440",
    "q": "\u051b",
    "R": "\u01a6",
    "r": "\u0433\u1d26\uab47\uab48",
    "S": "\u0405",
    "s": "\u01bd\u0455\ua731",
    "T": "\u03a4\u0422",
    "u": "\u028b\u03c5\u1d1c\ua79f\uab4e\uab52",
    "V": "\u0474",
    "v": "\u03bd\u0475\u1d20",
    "W": "\u051c",
    "w": "\u026f\u0461\u051d\u1d21",
    "X": "\u03a7\u0425\ua7b3",
    "x": "\u0445",
    "Y": "\u03a5\u0423\u04ae",
    "y": "\u0263\u028f\u03b3\u0443\u04af\u1d8c\u1eff\uab5a",
    "Z": "\u0396",
    "z": "\u1d22",
}
_CONFUSABLES = {ord(ch): letter for letter, chars in _LOOKALIKES_OF.items() for ch in chars}


def _fold(value: str, confusables: dict[int, str] | None) -> str:
    if value.isascii():
        return " ".join(value.casefold().split())
    value = _FORMAT_CHARACTERS.sub("", value.replace("Đ", "D").replace("đ", "d"))
    decomposed = unicodedata.normalize("NFKD", value)
    if confusables is not None:
        decomposed = decomposed.translate(confusables)
    stripped = _LATIN_COMBINING_MARKS.sub("", decomposed)
    if not stripped.isascii():  # other scripts' nonspacing marks
        stripped = "".join(ch for ch in stripped if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.casefold().split())


def fold(value: str) -> str:
    """Text for comparison and search: no format characters, compatibility forms, diacritics,
    case or repeated spaces."""
    return _fold(value, None)


def skeleton(value: str) -> str:
    """``fold``, with look-alikes of Latin letters and digits replaced by them."""
    return _fold(value, _CONFUSABLES)


# -- the upgrade ---------------------------------------------------------------------------

_initiatives = sa.table(
    "initiatives",
    sa.column("id", sa.Uuid),
    sa.column("campaign_year", sa.Integer),
    sa.column("agency_code", sa.String),
    sa.column("title", sa.String),
    sa.column("title_key", sa.String),
    sa.column("summary", sa.Text),
    sa.column("results", sa.Text),
    sa.column("limitations", sa.Text),
    sa.column("status", sa.String),
    sa.column("search_text", sa.Text),
)
_agencies = sa.table(
    "agencies", sa.column("code", sa.String), sa.column("name", sa.String), sa.column("name_key")
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_initiatives).order_by(_initiatives.c.id)).all()
    taken = {(r.campaign_year, r.agency_code, r.title_key) for r in rows if r.status == "submitted"}
    for r in rows:
        key = skeleton(r.title)
        text = fold(" ".join((r.title, r.summary, r.results, r.limitations)))
        if key != r.title_key and r.status == "submitted":
            if (r.campaign_year, r.agency_code, key) in taken:
                log.warning("initiative %s duplicates a live title; its key is kept", r.id)
                key = r.title_key
            else:
                taken.discard((r.campaign_year, r.agency_code, r.title_key))
                taken.add((r.campaign_year, r.agency_code, key))
        if (key, text) != (r.title_key, r.search_text):
            connection.execute(
                sa.update(_initiatives)
                .where(_initiatives.c.id == r.id)
                .values(title_key=key, search_text=text)
            )
    for code, name, name_key in connection.execute(sa.select(_agencies)).all():
        if fold(name) != name_key:
            connection.execute(
                sa.update(_agencies).where(_agencies.c.code == code).values(name_key=fold(name))
            )


def downgrade() -> None:
    """The old keys are not kept; the new ones are a refinement of them, so nothing to undo."""
