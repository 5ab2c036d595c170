"""Statistical process control: XmR charts and the NHS "Making Data Count" rules.

Limits are the mean +/- 2.66 x the mean moving range. A point is *special cause*
when it is outside the limits, part of a run of 7 on one side of the mean, part
of 7 rising or 7 falling points, or one of 2 in 3 consecutive points beyond two
thirds of the way to a limit on the same side. Fewer than 12 points give trial
limits only.

``csp.toml``'s ``[spc]`` sets the limits as the Making Data Count tool does: ``baseline = N`` (12 to 20 points)
computes the mean and limits from the first N points and extends them over the rest; ``recalculate =
["2016-10"]`` starts a new segment at each month where the process changed (a new recording practice, say),
with its own mean and limits (from its own first N points with a baseline); each point is judged against
its segment's limits, and no moving range or run spans a change.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..data.contract import DataError
from ..data.periods import month_index, month_label

RUN = 7
TRIAL_BELOW = 12
BASELINE_RANGE = (12, 20)  # the Making Data Count tool's range of baseline points
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
RULE_NAMES = {  # {unit}: month, or quarter (the Home Office tables)
    "outside": "a {unit} outside the process limits",
    "shift": f"a run of {RUN} {{unit}}s on one side of the mean",
    "trend": f"{RUN} {{unit}}s rising or falling in a row",
    "two_of_three": "2 of 3 {unit}s close to a limit",
}


@dataclass(frozen=True)
class Settings:
    """``[spc]`` of csp.toml: the baseline's number of points (None: every point) and the months from which
    the limits are recalculated (``YYYY-MM``, sorted). ``path`` names the file in messages only."""

    baseline: int | None = None
    recalculate: tuple[str, ...] = ()
    path: str = field(default="csp.toml", compare=False)

    def key(self) -> str:
        """What the figures depend on, for the figures cache key."""
        return f"spc baseline={self.baseline} recalculate={','.join(self.recalculate)}"

    def check(self, first: int, last: int) -> None:
        """Refuse a recalculation month outside the months of the data (``first`` to ``last``, month indices):
        no XmR series of any report could have it (a mistyped year, say)."""
        for m in self.recalculate:
            y, mo = map(int, m.split("-"))
            if not first <= month_index(y, mo) <= last:
                raise DataError(
                    self.path,
                    f"[spc] recalculate: '{m}' is outside the monthly series of the data, which run from "
                    f"{month_label(first)} to {month_label(last)}",
                    hint="give the month the process changed as YYYY-MM within the data (a quarterly series: the "
                    "quarter's first month), or remove it",
                )


def settings_from(root: Path | None) -> Settings:
    """``[spc]`` of ``csp.toml`` in the project folder (``None``: the nearest one at or above the working folder),
    checked: a baseline of 12 to 20 points and months written ``YYYY-MM``; none set is every point, as before."""
    places = [root] if root else [Path.cwd(), *Path.cwd().resolve().parents]
    path = next((p / "csp.toml" for p in places if (p / "csp.toml").exists()), None)
    if path is None:
        return Settings()
    try:
        with path.open("rb") as fh:
            spc = tomllib.load(fh).get("spc", {})
    except tomllib.TOMLDecodeError as e:
        raise DataError(path, f"not valid TOML ({e})", hint="correct the file (see README, settings)") from None
    if not isinstance(spc, dict):
        raise DataError(path, "[spc] is not a table", hint="write it as a [spc] section with baseline and recalculate")
    unknown = sorted(set(spc) - {"baseline", "recalculate"})
    if unknown:
        raise DataError(
            path, f"[spc] {unknown[0]}: not a setting of [spc]", hint="its settings are baseline and recalculate"
        )
    lo, hi = BASELINE_RANGE
    baseline = spc.get("baseline")
    if baseline is not None and (
        isinstance(baseline, bool) or not isinstance(baseline, int) or not lo <= baseline <= hi
    ):
        raise DataError(
            path,
            f"[spc] baseline = {baseline!r} is not a number of points from {lo} to {hi} (the Making Data Count "
            "tool's range)",
            hint=f"write a whole number from {lo} to {hi}, or remove baseline to compute the limits from every point",
        )
    months = spc.get("recalculate", [])
    if not isinstance(months, list):
        raise DataError(
            path,
            f"[spc] recalculate = {months!r} is not a list of months",
            hint='write it as a list of months, e.g. recalculate = ["2016-10"]',
        )
    for m in months:
        if not isinstance(m, str) or not MONTH.fullmatch(m):
            raise DataError(
                path,
                f"[spc] recalculate: {m!r} is not a month",
                hint='write each month as "YYYY-MM" in quotes, e.g. "2016-10" (a quarterly series: the quarter\'s '
                "first month)",
            )
    return Settings(baseline, tuple(sorted(set(months))), str(path))


def limits(values: list[float]) -> dict:
    n = len(values)
    mean = sum(values) / n
    mrs = [abs(b - a) for a, b in zip(values, values[1:])]
    mr_bar = sum(mrs) / len(mrs) if mrs else 0.0
    return {
        "mean": mean,
        "mr_bar": mr_bar,
        "ucl": mean + 2.66 * mr_bar,
        "lcl": mean - 2.66 * mr_bar,
        "trial": n < TRIAL_BELOW,
    }


def _runs(flags: list[bool]) -> list[list[int]]:
    """Index runs of consecutive True values."""
    out, cur = [], []
    for i, f in enumerate(flags):
        if f:
            cur.append(i)
        else:
            if cur:
                out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def signals(values: list[float], lim: dict) -> list[dict]:
    """Every special-cause signal: its rule, direction and the points it covers."""
    mean, ucl, lcl = lim["mean"], lim["ucl"], lim["lcl"]
    out = []
    for i, v in enumerate(values):
        if v > ucl or v < lcl:
            out.append({"rule": "outside", "direction": "up" if v > ucl else "down", "points": [i]})
    for side, flags in (("up", [v > mean for v in values]), ("down", [v < mean for v in values])):
        for run in _runs(flags):
            if len(run) >= RUN:
                out.append({"rule": "shift", "direction": side, "points": run})
    for side, steps in (
        ("up", [b > a for a, b in zip(values, values[1:])]),
        ("down", [b < a for a, b in zip(values, values[1:])]),
    ):
        for run in _runs(steps):  # run of k steps covers k + 1 points
            if len(run) + 1 >= RUN:
                out.append({"rule": "trend", "direction": side, "points": list(range(run[0], run[-1] + 2))})
    upper, lower = mean + 2 / 3 * (ucl - mean), mean - 2 / 3 * (mean - lcl)
    for side, near in (("up", [v > upper for v in values]), ("down", [v < lower for v in values])):
        for i in range(len(values) - 2):
            hits = [j for j in range(i, i + 3) if near[j]]
            if len(hits) >= 2:
                out.append({"rule": "two_of_three", "direction": side, "points": hits})
    return out


def describe(sigs: list[dict], within: range, unit: str = "month") -> str:
    """``within normal variation`` or ``special cause: ...`` for the points in ``within`` (each a ``unit``)."""
    found = []
    for s in sigs:
        if any(p in within for p in s["points"]):
            text = f"{RULE_NAMES[s['rule']].format(unit=unit)} ({'high' if s['direction'] == 'up' else 'low'})"
            if s["rule"] == "trend":
                text = f"{RUN} {unit}s {'rising' if s['direction'] == 'up' else 'falling'} in a row"
            if text not in found:
                found.append(text)
    return "special cause: " + "; ".join(found) if found else "within normal variation"


ICONS = {  # NHS Making Data Count's variation icons; for crime, high is concerning
    "common_cause": "common cause variation: no significant change",
    "special_cause_concerning": "special cause variation, concerning: higher than expected",
    "special_cause_improving": "special cause variation, improving: lower than expected",
}


def icon(sigs: list[dict], within: range) -> str:
    """The Making Data Count variation icon of the points in ``within``: common cause when no signal touches
    them, else special cause, concerning when the latest signal among them is high (for crime, more is worse)
    and improving when it is low."""
    touching = [s for s in sigs if any(p in within for p in s["points"])]
    if not touching:
        return "common_cause"
    latest = max(touching, key=lambda s: (max(p for p in s["points"] if p in within), s["direction"] == "up"))
    return "special_cause_concerning" if latest["direction"] == "up" else "special_cause_improving"


def _rounded(lim: dict) -> dict:
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in lim.items()}


def xmr(rows: list[dict], within: range, baseline: int | None = None, recalculate=(), unit: str = "month") -> dict:
    """XmR of monthly rows (``value`` per month; ``unit`` quarter: a row a quarter, its ``month`` the quarter's
    first): limits, signals and the label for ``within``.

    The limits are computed from the first ``baseline`` points (None: all) of each segment; a segment starts
    at the first point and at each point whose month is in ``recalculate`` (the months of the series
    only: a month before or after it changes nothing). Each segment's points are judged against its own
    limits; ``mean``, ``mr_bar``, ``ucl``, ``lcl`` and ``trial`` are the current (last) segment's."""
    values = [float(r["value"]) for r in rows]
    months = [r["month"] for r in rows]
    changes = set(recalculate)
    starts = [0] + [i for i, m in enumerate(months) if i > 0 and m in changes]
    segments, sigs = [], []
    for a, b in zip(starts, starts[1:] + [len(values)]):
        part = values[a:b]
        base = part[:baseline] if baseline else part
        lim = limits(base)
        for s in signals(part, lim):
            sigs.append({**s, "points": [p + a for p in s["points"]]})
        segments.append(
            {"first": months[a], "last": months[b - 1], "points": b - a, "baseline_points": len(base), **_rounded(lim)}
        )
    flagged = sorted({p for s in sigs for p in s["points"]})
    current = {k: segments[-1][k] for k in ("mean", "mr_bar", "ucl", "lcl", "trial")}
    return {
        **current,
        "points": [dict(r, special=i in flagged) for i, r in enumerate(rows)],
        "signals": sigs,
        "label": describe(sigs, within, unit),
        "icon": icon(sigs, within),
        "baseline": baseline,
        "basis": "baseline" if baseline else "all points",
        "recalculated": [months[i] for i in starts[1:]],
        "segments": segments,
    }
