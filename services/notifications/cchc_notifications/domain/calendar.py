"""Calendar invitations (iCalendar, RFC 5545/5546): one event per visit, its ``UID`` the
visit's, so that an update (``METHOD:REQUEST``, ``SEQUENCE`` raised) or a cancellation
(``METHOD:CANCEL``) replaces the event already in the recipient's calendar."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from uuid import UUID

from icalendar import Calendar, Event, vCalAddress, vText

from cchc_shared.clock import VIETNAM

Method = Literal["REQUEST", "CANCEL"]


@dataclass(frozen=True)
class CalendarVisit:
    visit_id: UUID
    day: date
    starts_at: time
    place: str
    agency_name: str
    initiative_title: str


def visit_uid(visit_id: UUID, domain: str) -> str:
    return f"{visit_id}@{domain}"


def invitation(
    visits: Sequence[CalendarVisit],
    *,
    method: Method,
    sequence: int,
    round_label: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    minutes: int,
    stamp: datetime,
    domain: str,
) -> str:
    """The calendar of ``visits`` for one attendee; ``organizer`` and ``attendee`` are
    (name, address)."""
    calendar = Calendar()
    calendar.add("prodid", "-//So Noi vu TP.HCM//CCHC thong bao khao sat//VI")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("x-wr-calname", f"Khảo sát CCHC {round_label}")
    for visit in sorted(visits, key=lambda v: (v.day, v.starts_at)):
        start = datetime.combine(visit.day, visit.starts_at, tzinfo=VIETNAM)
        event = Event()
        event.add("uid", visit_uid(visit.visit_id, domain))
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=minutes))
        event.add("summary", f"Khảo sát CCHC {round_label} – {visit.agency_name}")
        event.add("location", visit.place)
        event.add("description", visit.initiative_title)
        event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
        event.add("transp", "OPAQUE")
        who = vCalAddress(f"mailto:{organizer[1]}")
        who.params["cn"] = vText(organizer[0])
        event.add("organizer", who)
        guest = vCalAddress(f"mailto:{attendee[1]}")
        guest.params["cn"] = vText(attendee[0])
        guest.params["role"] = vText("REQ-PARTICIPANT")
        guest.params["partstat"] = vText("NEEDS-ACTION")
        guest.params["rsvp"] = vText("FALSE")
        event.add("attendee", guest)
        calendar.add_component(event)
    calendar.add_missing_timezones()  # the VTIMEZONE of Asia/Ho_Chi_Minh
    return bytes(calendar.to_ical()).decode("utf-8")
