"""Report periods: financial years, their quarters and any span of whole months.

``2016/17`` is April 2016 to March 2017, ``2016/17-Q3`` is October to December
2016 and ``2016-02..2017-01`` is February 2016 to January 2017. The comparison
period is the same months one year earlier; the four-year trend is the period
and the three before it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTH_NAMES = list(calendar.month_name)[1:]


class PeriodError(ValueError):
    """A --period string that cannot be read."""


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_of(index: int) -> tuple[int, int]:
    return index // 12, index % 12 + 1


def month_label(index: int) -> str:
    y, m = month_of(index)
    return f"{MONTH_NAMES[m - 1]} {y}"


def month_key(index: int) -> str:
    y, m = month_of(index)
    return f"{y:04d}-{m:02d}"


def month_runs(months) -> str:
    """``2020-04 to 2020-09, 2021-01``: months (indexes or ``YYYY-MM`` keys) as runs of consecutive months."""
    idx = sorted(m if isinstance(m, int) else month_index(int(m[:4]), int(m[5:7])) for m in months)
    runs: list[list[int]] = []
    for m in idx:
        if runs and m == runs[-1][-1] + 1:
            runs[-1].append(m)
        else:
            runs.append([m])
    return ", ".join(month_key(r[0]) if len(r) == 1 else f"{month_key(r[0])} to {month_key(r[-1])}" for r in runs)


def fy_of(index: int) -> int:
    """Financial year (its starting calendar year) that a month belongs to."""
    y, m = month_of(index)
    return y if m >= 4 else y - 1


def fy_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """Whole months ``first``..``last`` (inclusive month indexes)."""

    first: int
    last: int
    kind: str = "span"  # "fy", "quarter" or "span"

    def __post_init__(self):
        if self.last < self.first:
            raise PeriodError("a period must end after it starts")

    # -- names -----------------------------------------------------------
    @property
    def label(self) -> str:
        """The short form that ``parse`` reads back."""
        if self.kind == "fy":
            return fy_label(fy_of(self.first))
        if self.kind == "quarter":
            return f"{fy_label(fy_of(self.first))}-Q{self.quarter}"
        if self.first == self.last:
            return month_key(self.first)
        return f"{month_key(self.first)}..{month_key(self.last)}"

    @property
    def long_label(self) -> str:
        """``April 2016 to March 2017`` (``October to December 2016`` within a year)."""
        if self.first == self.last:
            return month_label(self.first)
        (y1, m1), (y2, m2) = month_of(self.first), month_of(self.last)
        if y1 == y2:
            return f"{MONTH_NAMES[m1 - 1]} to {MONTH_NAMES[m2 - 1]} {y2}"
        return f"{month_label(self.first)} to {month_label(self.last)}"

    @property
    def quarter(self) -> int:
        """1 to 4: the quarter of the financial year its first month is in (April to June is 1)."""
        return (month_of(self.first)[1] - 4) % 12 // 3 + 1

    @property
    def short(self) -> str:
        """For headers, axes and sentences: what is typed is not always what reads well.
        ``2016/17`` stays; a quarter reads ``Q3 2016/17`` as councils write it; a span of
        months ``Nov 2021–Oct 2022``, one month ``Oct 2022``."""
        if self.kind == "fy":
            return self.label
        if self.kind == "quarter":
            return f"Q{self.quarter} {fy_label(fy_of(self.first))}"
        (y1, m1), (y2, m2) = month_of(self.first), month_of(self.last)
        first, last = f"{MONTH_NAMES[m1 - 1][:3]} {y1}", f"{MONTH_NAMES[m2 - 1][:3]} {y2}"
        return first if self.first == self.last else f"{first}\u2013{last}"

    @property
    def slug(self) -> str:
        return self.label.replace("/", "-").replace("..", "_to_")

    @property
    def start(self) -> dt.date:
        y, m = month_of(self.first)
        return dt.date(y, m, 1)

    @property
    def end(self) -> dt.date:
        y, m = month_of(self.last)
        return dt.date(y, m, calendar.monthrange(y, m)[1])

    @property
    def months(self) -> range:
        return range(self.first, self.last + 1)

    def __len__(self) -> int:
        return self.last - self.first + 1

    def __contains__(self, index: int) -> bool:
        return self.first <= index <= self.last

    def as_json(self) -> dict:
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}

    # -- related periods ---------------------------------------------------
    def shift(self, months: int) -> Period:
        return Period(self.first + months, self.last + months, self.kind)

    def previous(self) -> Period:
        """The same months one year earlier."""
        return self.shift(-12)

    def trend(self, years: int = 4) -> list[Period]:
        """The period and the ``years - 1`` before it, oldest first."""
        return [self.shift(-12 * k) for k in range(years - 1, -1, -1)]

    def clip(self, first: int, last: int) -> Period | None:
        """The part of this period inside months ``first``..``last`` (kind span)."""
        a, b = max(self.first, first), min(self.last, last)
        if b < a:
            return None
        if (a, b) == (self.first, self.last):
            return self
        return Period(a, b, "span")

    def quarters(self) -> list[Period]:
        """Financial quarters (Apr-Jun, Jul-Sep, Oct-Dec, Jan-Mar) wholly inside."""
        out = []
        for i in self.months:
            if (month_of(i)[1] - 4) % 3 == 0 and i + 2 <= self.last:
                out.append(Period(i, i + 2, "quarter"))
        return out


# "/" only: 2011-12 is December 2011, not the financial year 2011/12
_FY = re.compile(r"^(\d{4})/(\d{2}|\d{4})$")
_Q = re.compile(r"^(\d{4})/(\d{2}|\d{4})-?Q([1-4])$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _fy_start(a: str, b: str, text: str) -> int:
    y = int(a)
    if int(b[-2:]) != (y + 1) % 100:
        raise PeriodError(f"period {text!r}: {b} does not follow {a} (write e.g. 2016/17)")
    return y


def _month(text: str, whole: str) -> int:
    m = _MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise PeriodError(f"period {whole!r}: {text!r} is not a month YYYY-MM")
    return month_index(int(m.group(1)), int(m.group(2)))


def parse(text: str) -> Period:
    """Read ``2016/17``, ``2016/17-Q3``, ``2016-02..2017-01`` or ``2016-02``. A period written another way that
    reads as one of these (``2016-17``, ``2016-2017``, ``2016/17 Q3``) is refused with the one it would be."""
    if isinstance(text, Period):
        return text
    s = str(text).strip()
    try:
        return _parse(s)
    except PeriodError:
        near = did_you_mean(s)
        if near is None:
            raise
        raise PeriodError(
            f"period {s!r} not understood: did you mean {near}? (a financial year is written 2016/17, a quarter "
            "2016/17-Q3, a span of months 2016-02..2017-01)"
        ) from None


# a year, a dash, space, dot or underscore and the next year (2016-17, 2016-2017, 2016 17), then maybe a quarter
_LOOSE = re.compile(r"^(\d{4})\s*[-_. ]\s*(\d{2}|\d{4})\s*(?:[-_ ]?\s*(?:Q|quarter\s*)([1-4]))?$", re.I)
_LOOSE_Q = re.compile(r"^(\d{4})/(\d{2}|\d{4})\s*[-_ ]?\s*(?:Q|quarter\s*)([1-4])$", re.I)


def did_you_mean(text: str) -> str | None:
    """The period label ``text`` was meant to be, when it reads as a financial year or a quarter written
    another way (``2016-17`` is 2016/17, ``2016/17 q3`` is 2016/17-Q3); else None."""
    m = _LOOSE.match(text.strip()) or _LOOSE_Q.match(text.strip())
    if not m or int(m.group(2)[-2:]) != (int(m.group(1)) + 1) % 100:
        return None
    label = fy_label(int(m.group(1)))
    return f"{label}-Q{m.group(3)}" if m.group(3) else label


def _parse(s: str) -> Period:
    if m := _Q.match(s):
        y = _fy_start(m.group(1), m.group(2), s)
        first = month_index(y, 4) + 3 * (int(m.group(3)) - 1)
        return Period(first, first + 2, "quarter")
    if m := _FY.match(s):
        y = _fy_start(m.group(1), m.group(2), s)
        return Period(month_index(y, 4), month_index(y + 1, 3), "fy")
    if ".." in s:
        a, b = s.split("..", 1)
        first, last = _month(a, s), _month(b, s)
        if last < first:
            raise PeriodError(f"period {s!r} ends before it starts")
        return Period(first, last, "span")
    if _MONTH.match(s):
        i = _month(s, s)
        return Period(i, i, "span")
    raise PeriodError(
        f"period {s!r} not understood: use a financial year (2016/17), "
        "a quarter (2016/17-Q3) or a span of months (2016-02..2017-01)"
    )
