"""What every handler and query of the reporting service receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cchc_reporting.ports import DocumentWriter, UnitOfWork
from cchc_reporting.service_layer.queries import CampaignViews


@dataclass(frozen=True)
class Services:
    uow: Callable[[], UnitOfWork]  # a new unit of work per use
    views: CampaignViews  # the campaigns' views, kept while the log has not moved
    documents: DocumentWriter
