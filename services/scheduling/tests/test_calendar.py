from datetime import date, timedelta

from cchc_scheduling.adapters.holiday_calendar import (
    CORRECTIONS,
    Correction,
    vietnam_calendar,
)


def test_2023_national_day_and_its_compensating_day_are_not_working_days() -> None:
    calendar = vietnam_calendar((2023,))
    assert not calendar.is_working_day(date(2023, 9, 1))  # Friday, Quốc khánh
    assert not calendar.is_working_day(date(2023, 9, 2))  # Saturday
    assert not calendar.is_working_day(date(2023, 9, 4))  # Monday, nghỉ bù
    assert calendar.is_working_day(date(2023, 9, 5))
    assert calendar.is_working_day(date(2023, 8, 31))
    assert "Quốc khánh" in (calendar.why_not_working(date(2023, 9, 4)) or "")


def test_weekends_are_not_working_days_and_the_2023_window_has_107_working_days() -> None:
    calendar = vietnam_calendar((2023,))
    assert calendar.why_not_working(date(2023, 6, 3)) == "Thứ Bảy"
    assert calendar.why_not_working(date(2023, 6, 4)) == "Chủ nhật"
    days = list(calendar.working_days(date(2023, 6, 1), date(2023, 10, 31)))
    # 109 weekdays from 1 June to 31 October 2023, less 1 and 4 September.
    assert len(days) == 107
    assert all(d.weekday() < 5 for d in days)


def test_corrections_add_a_make_up_working_day_and_an_extra_day_off() -> None:
    assert CORRECTIONS == ()  # the package's 2023 data needed no correction in the window
    saturday, monday = date(2023, 6, 10), date(2023, 6, 12)
    extra = (
        Correction(saturday, "Làm bù", working=True, source="test"),
        Correction(monday, "Nghỉ hoán đổi", working=False, source="test"),
    )
    calendar = vietnam_calendar((2023,), extra)
    assert calendar.is_working_day(saturday)
    assert calendar.why_not_working(monday) == "Nghỉ hoán đổi"
    assert calendar.is_working_day(monday + timedelta(days=1))


def test_the_package_knows_make_up_working_days_of_later_years() -> None:
    calendar = vietnam_calendar((2024,))
    assert calendar.is_working_day(date(2024, 5, 4))  # Saturday worked to bridge 30/4
