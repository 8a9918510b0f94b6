"""Message entry points: ``ROUTES`` is the service's one list of what it consumes; the kit
derives its queues and FastStream subscribers from it."""

from __future__ import annotations

from cchc_notifications.service_layer.handlers import events
from cchc_notifications.service_layer.services import Services
from cchc_shared.contracts.events import (
    CampaignSettingsChangedV1,
    DraftReminderDueV1,
    EvaluationRecordedV1,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
    SelectionDecidedV1,
)
from cchc_shared.messaging.routing import RoutingTable

ROUTES: RoutingTable[Services] = {
    InitiativeSubmittedV1: events.initiative_known,
    InitiativeAmendedV1: events.initiative_known,
    RoundScheduledV1: events.round_state,
    RoundRescheduledV1: events.round_state,
    RoundCancelledV1: events.round_cancelled_event,
    SelectionDecidedV1: events.selection_decided,
    EvaluationRecordedV1: events.evaluation_recorded,
    DraftReminderDueV1: events.draft_reminder_due,
    CampaignSettingsChangedV1: events.campaign_settings_changed,
}
