"""Who may do what: the rules on the acting person shared by the write and the read side."""

from __future__ import annotations

from cchc_shared.auth import Principal
from cchc_shared.errors import Fault, Forbidden


def require_staff(principal: Principal) -> None:
    if not principal.is_staff:
        raise Forbidden(
            Fault(
                "Authorization",
                "Chỉ Phòng Cải cách hành chính (Sở Nội vụ) được thực hiện thao tác này",
                "only the secretariat (PAR office of the Department of Home Affairs) may do this",
            )
        )


def require_agency_or_staff(principal: Principal, agency_code: str) -> None:
    """An agency acts and reads for itself; the PAR office for any agency."""
    if principal.is_staff or principal.owns_agency(agency_code):
        return
    if principal.can_read_all:
        raise Forbidden(
            Fault(
                "Authorization",
                "Chỉ đơn vị được giao hoặc Phòng Cải cách hành chính được báo cáo",
                "only the target agency or the secretariat may report",
            )
        )
    raise _not_of(agency_code)


def require_reader_of(principal: Principal, agency_code: str) -> None:
    """An agency reads its own assignments; the PAR office and the People's Committee any."""
    if principal.can_read_all or principal.owns_agency(agency_code):
        return
    raise _not_of(agency_code)


def _not_of(agency_code: str) -> Forbidden:
    return Forbidden(
        Fault(
            "agency_code",
            f"Tài khoản không thuộc đơn vị {agency_code}",
            f"the caller does not belong to agency {agency_code}",
        )
    )
