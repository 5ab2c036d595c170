"""Pure measures: each takes counts (or a few columns) and returns numbers.

Nothing here reads files or knows about areas; ``figures`` feeds them.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd


def round_half_away(x, ndigits: int = 1) -> float:
    """Round half away from zero (Python's ``round`` rounds half to even).

    Works on exact fractions, so 0.25 -> 0.3 and -0.25 -> -0.3 at 1 digit.
    """
    q = Fraction(x) * 10**ndigits
    n = math.floor(abs(q) + Fraction(1, 2))
    return math.copysign(n, q) / 10**ndigits if n else 0.0


def pct_change(value: int, previous: int) -> float | None:
    """``100 * (value - previous) / previous`` to 1 decimal; None when previous is 0."""
    if previous is None or value is None or previous == 0:
        return None
    return round_half_away(Fraction(100 * (value - previous), previous))


def share(part: int, whole: int) -> float | None:
    """``100 * part / whole`` to 1 decimal; None when whole is 0."""
    if not whole:
        return None
    return round_half_away(Fraction(100 * part, whole))


def rate(count: int, base: int, per: int = 1000) -> float | None:
    """``count`` per ``per`` of ``base`` (residents or households), 1 decimal, half away from zero."""
    if not base:
        return None
    return round_half_away(Fraction(count * per, base))


def change(value: int | None, previous: int | None) -> dict:
    """The figure object of figures.md: value, previous, change, pct_change."""
    if value is None:
        return {"value": None, "previous": None, "change": None, "pct_change": None}
    value = int(value)
    if previous is None:
        return {"value": value, "previous": None, "change": None, "pct_change": None}
    previous = int(previous)
    return {"value": value, "previous": previous, "change": value - previous, "pct_change": pct_change(value, previous)}


def rank_lowest_first(changes: dict[str, tuple[int, int]], area: str) -> dict:
    """Place of ``area`` when districts are ordered by % change, lowest first.

    ``changes`` maps district -> (value, previous). The order uses the exact
    ratio, not the rounded percentage; equal ratios share the better place.
    Districts with no previous count cannot be ordered and are left out of ``of``.
    """
    ratios = {d: Fraction(v - p, p) for d, (v, p) in changes.items() if p}
    if area not in ratios:
        return {"value": None, "of": len(ratios)}
    mine = ratios[area]
    return {"value": 1 + sum(r < mine for r in ratios.values()), "of": len(ratios)}


def rank_highest_rate(counts: dict[str, tuple[int, int]], area: str) -> dict:
    """Place of ``area`` when districts are ordered by rate, highest first (1 = the highest rate).

    ``counts`` maps district -> (count, residents or households); the order uses the exact ratio and
    equal rates share the place. Districts with no denominator are left out of ``of``.
    """
    rates = {d: Fraction(v, n) for d, (v, n) in counts.items() if n}
    if area not in rates:
        return {"value": None, "of": len(rates)}
    return {"value": 1 + sum(r > rates[area] for r in rates.values()), "of": len(rates)}


def count_rising(changes: dict[str, tuple[int, int]]) -> dict:
    """How many districts rose (value above previous), of how many."""
    return {"value": sum(v > p for v, p in changes.values()), "of": len(changes)}


def peak(counts: pd.Series) -> dict:
    """The highest count in a labelled series; the earliest label wins a tie."""
    if counts.empty:
        return {"label": None, "value": None}
    label = counts.idxmax()
    return {"label": label, "value": int(counts.loc[label])}


def compare(current: pd.Series, previous: pd.Series) -> dict:
    """Compare two aligned series (same labels, e.g. months): how many fell, biggest falls.

    Returns the number lower than a year earlier (``value``), the number
    compared (``of``), the number higher, and the labels ordered by fall
    (largest first, rises excluded).
    """
    diff = current.astype(int) - previous.reindex(current.index).fillna(0).astype(int)
    falls = diff[diff < 0].sort_values(kind="stable")
    return {
        "value": int((diff < 0).sum()),
        "of": len(diff),
        "higher": int((diff > 0).sum()),
        "largest_falls": [{"label": k, "change": int(v)} for k, v in falls.items()],
    }


def non_recent(recorded: pd.Series, committed: pd.Series, days: int = 365) -> pd.Series:
    """True where a crime was recorded more than ``days`` after it took place."""
    return (recorded - committed).dt.days > days


def funnel(steps: list[tuple[str, int]]) -> list[dict]:
    """Escalation funnel: each step's count, its share of the step before and of the first step
    (the warnings: "2% of warned cases reached breach or prosecution")."""
    out, before, first = [], None, None
    for name, n in steps:
        out.append(
            {
                "step": name,
                "value": int(n),
                "share_of_previous": None if before is None else share(n, before),
                "share_of_first": None if first is None else share(n, first),
            }
        )
        before = n
        first = n if first is None else first
    return out
