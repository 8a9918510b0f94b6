"""Title keys by confusables skeleton: invisible characters, compatibility forms and Cyrillic
or Greek look-alikes of Latin letters no longer make two titles differ.

Recomputes ``initiatives.title_key`` (and the folded ``search_text``, ``agencies.name_key``)
with the current rules. A live initiative whose new key would equal another live initiative's
(a duplicate that got past the old rule) keeps its old key, and is logged, so the upgrade
never fails on the unique index; a person decides which one to withdraw.

Revision ID: 0003
Revises: 0002
"""

import logging

import sqlalchemy as sa
from alembic import op

from cchc_shared.contracts.text import fold, skeleton

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

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
