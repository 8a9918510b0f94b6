"""What the reporting service refuses to answer, as the kit's one error family: the chassis
answers each with its status and the API's error body."""

from __future__ import annotations

from cchc_shared.errors import Fault, Forbidden, NotFound


class CampaignNotFound(NotFound):
    def __init__(self, year: int) -> None:
        super().__init__(
            Fault(
                "year",
                f"Chưa có dữ liệu của đợt khảo sát năm {year}",
                f"no data for the {year} campaign",
            )
        )


class InitiativeNotFound(NotFound):
    """Also answers another agency's initiative, as intake does: its existence is not shown."""

    def __init__(self) -> None:
        super().__init__(
            Fault(
                "initiative_id",
                "Không tìm thấy sáng kiến trong đợt khảo sát này",
                "initiative not found in this campaign",
            )
        )


class RoundNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__(Fault("round_id", "Không tìm thấy đợt khảo sát", "round not found"))


class AgencyNotInCampaign(NotFound):
    def __init__(self) -> None:
        super().__init__(
            Fault(
                "agency_code",
                "Cơ quan chưa có sáng kiến trong đợt khảo sát này",
                "the agency has no initiative in this campaign",
            )
        )


class ReadForbidden(Forbidden):
    """The reader's role or agency may not read this; the fault is the token's."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(Fault("Authorization", message_vi, message_en))
