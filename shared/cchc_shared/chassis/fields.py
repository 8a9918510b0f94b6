"""Field types of the HTTP request bodies: what the contract says, and nothing coerced.

* :data:`Integer` and :data:`Number` are strict: where the contract says integer or number, a
  boolean (``true``) or a string (``"7.5"``) is a 422, not read as 1 or 7.5. A number accepts
  an integer (``7``); an integer refuses ``7.0``. Neither accepts NaN or infinity.
* :data:`CalendarDate` is a ``YYYY-MM-DD`` date between :data:`DATE_MIN` and :data:`DATE_MAX`:
  a date such as ``9999-12-31`` is a 422 naming the field, never an overflow deeper down (a
  date plus a few days past ``date.max``).
* :data:`CampaignYearBody` is a campaign year in a body (an integer, 2000-2100, as the events').

Query and path parameters arrive as text and keep FastAPI's parsing; their bounds are in
``chassis.http`` (``CampaignYearPath``) or beside the route.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Final

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

DATE_MIN: Final = date(1900, 1, 1)
DATE_MAX: Final = date(2100, 12, 31)


def _bounded(value: date) -> date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise PydanticCustomError(
            "date_out_of_range",
            "date {value} is outside {minimum}..{maximum}",
            {
                "value": value.isoformat(),
                "minimum": DATE_MIN.isoformat(),
                "maximum": DATE_MAX.isoformat(),
            },
        )
    return value


Integer = Annotated[int, Field(strict=True)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
CalendarDate = Annotated[date, AfterValidator(_bounded)]
CampaignYearBody = Annotated[int, Field(strict=True, ge=2000, le=2100)]
