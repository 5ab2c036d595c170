"""Statistical process control: XmR charts and the NHS "Making Data Count" rules.

Limits are the mean +/- 2.66 x the mean moving range. A point is *special cause*
when it is outside the limits, part of a run of 7 on one side of the mean, part
of 7 rising or 7 falling points, or one of 2 in 3 consecutive points beyond two
thirds of the way to a limit on the same side. Fewer than 12 points give trial
limits only.
"""

from __future__ import annotations

RUN = 7
TRIAL_BELOW = 12
RULE_NAMES = {
    "outside": "a month outside the process limits",
    "shift": f"a run of {RUN} months on one side of the mean",
    "trend": f"{RUN} months rising or falling in a row",
    "two_of_three": "2 of 3 months close to a limit",
}


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


def describe(sigs: list[dict], within: range) -> str:
    """``within normal variation`` or ``special cause: ...`` for the points in ``within``."""
    found = []
    for s in sigs:
        if any(p in within for p in s["points"]):
            text = f"{RULE_NAMES[s['rule']]} ({'high' if s['direction'] == 'up' else 'low'})"
            if s["rule"] == "trend":
                text = f"{RUN} months {'rising' if s['direction'] == 'up' else 'falling'} in a row"
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


def xmr(rows: list[dict], within: range) -> dict:
    """XmR of monthly rows (``value`` per month): limits, signals and the label for ``within``."""
    values = [float(r["value"]) for r in rows]
    lim = limits(values)
    sigs = signals(values, lim)
    flagged = sorted({p for s in sigs for p in s["points"]})
    return {
        **{k: round(v, 2) if isinstance(v, float) else v for k, v in lim.items()},
        "points": [dict(r, special=i in flagged) for i, r in enumerate(rows)],
        "signals": sigs,
        "label": describe(sigs, within),
        "icon": icon(sigs, within),
    }
