"""The period a report covers: a preset (this month, a year, …) or a custom range of days.

Every report reads the same query parameters: ``period`` (a preset key or ``custom``), ``year``
(a calendar year, which wins over the preset) and ``start``/``end`` (ISO dates, for ``custom``).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

YEARS_OFFERED = 6

# The years a report (and a sales target) may cover: the company's own era. A date outside is a
# typing mistake, and dates near the calendar's ends would overflow the day arithmetic.
FIRST_YEAR = 2000
LAST_YEAR = 2099


def within_bounds(day):
    return FIRST_YEAR <= day.year <= LAST_YEAR


def bounds_message():
    return _("Choose a date between %(first)s and %(last)s.") % {
        "first": datetime.date(FIRST_YEAR, 1, 1).isoformat(),
        "last": datetime.date(LAST_YEAR, 12, 31).isoformat(),
    }


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def bounds(self):
        """Aware datetimes [start 00:00, day after end 00:00) for filtering timestamps by index."""
        tz = timezone.get_current_timezone()
        return (
            datetime.datetime.combine(self.start, datetime.time.min, tz),
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tz),
        )

    def months(self):
        """The first day of every month the period touches, in order."""
        month = self.start.replace(day=1)
        found = []
        while month <= self.end:
            found.append(month)
            month = next_month(month)
        return found

    def __str__(self):
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


def next_month(day):
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_end(day):
    return next_month(day) - datetime.timedelta(days=1)


def year_period(year):
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def _year_before(day):
    return day.replace(year=day.year - 1)


def _quarter_start(day):
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _presets(today):
    month_start = today.replace(day=1)
    last_month_start = (month_start - datetime.timedelta(days=1)).replace(day=1)
    quarter_start = _quarter_start(today)
    last_quarter_start = _quarter_start(quarter_start - datetime.timedelta(days=1))
    return {
        "this_month": (_("This month"), Period(month_start, month_end(month_start))),
        "last_month": (_("Last month"), Period(last_month_start, month_end(last_month_start))),
        "this_quarter": (
            _("This quarter"),
            Period(quarter_start, month_end(quarter_start.replace(month=quarter_start.month + 2))),
        ),
        "last_quarter": (
            _("Last quarter"),
            Period(last_quarter_start, quarter_start - datetime.timedelta(days=1)),
        ),
        "this_year": (_("This year"), year_period(today.year)),
        "last_year": (_("Last year"), year_period(today.year - 1)),
        "last_12_months": (_("Last 12 months"), Period(_year_before(next_month(month_start)), month_end(month_start))),
    }


def period_choices():
    today = timezone.localdate()
    presets = [(key, label) for key, (label, _period) in _presets(today).items()]
    return [*presets, ("custom", _("Custom range"))]


def year_choices():
    today = timezone.localdate()
    return [(year, str(year)) for year in range(today.year, today.year - YEARS_OFFERED, -1)]


def resolve(*, period="", year=None, start=None, end=None, default="this_year"):
    """The ``Period`` for the chosen inputs; inputs already validated by ``PeriodForm``."""
    today = timezone.localdate()
    if year:
        return year_period(int(year))
    if period == "custom" and start and end:
        return Period(start, end)
    presets = _presets(today)
    return presets.get(period, presets[default])[1]
