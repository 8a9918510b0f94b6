"""The write side, one module per use case; re-exported so that callers name the use case
(``handlers.record_event``, ``handlers.rebuild``)."""

from cchc_reporting.service_layer.handlers.projection import CONSUMER, record_event
from cchc_reporting.service_layer.handlers.rebuild import RebuildReport, rebuild

__all__ = ["CONSUMER", "RebuildReport", "rebuild", "record_event"]
