"""The write side, one module per use case. Each handler works inside one unit of work and
either commits a change with the events it causes or raises a ``DomainError``. Re-exported
here so that the entrypoints name a handler as ``handlers.<name>``."""

from cchc_evaluation.service_layer.handlers.adoptions import (
    on_adoption_reported,
    on_replication_decided,
)
from cchc_evaluation.service_layer.handlers.campaigns import on_campaign_settings
from cchc_evaluation.service_layer.handlers.evaluations import amend_evaluation, record_evaluation
from cchc_evaluation.service_layer.handlers.initiatives import (
    on_initiative_content,
    on_initiative_withdrawn,
)
from cchc_evaluation.service_layer.handlers.par_index import recompute_all_stale, recompute_stale
from cchc_evaluation.service_layer.handlers.rounds import on_round_cancelled, on_round_state
from cchc_evaluation.service_layer.handlers.rubrics import set_rubric
from cchc_evaluation.service_layer.handlers.selection import (
    decide_initiative,
    record_sector_opinion,
)

__all__ = [
    "amend_evaluation",
    "decide_initiative",
    "on_adoption_reported",
    "on_campaign_settings",
    "on_initiative_content",
    "on_initiative_withdrawn",
    "on_replication_decided",
    "on_round_cancelled",
    "on_round_state",
    "recompute_all_stale",
    "recompute_stale",
    "record_evaluation",
    "record_sector_opinion",
    "set_rubric",
]
