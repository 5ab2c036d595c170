"""Is a change beyond chance? The exact conditional test for two Poisson counts, and exact intervals.

Two counts of the same kind, ``value`` over ``months`` and ``previous`` over ``months_previous``: if both
came from one steady monthly rate, then given their sum ``n``, ``value`` is Binomial(n, t / (t + t0))
(1/2 when the periods have as many months). The two-sided p-value is the one ``scipy.stats.binomtest``
gives (the sum of the probabilities of every outcome no more likely than the one seen, with its relative
tolerance of 1e-7); the 95% interval of the rate ratio comes from the Clopper-Pearson (exact) interval of
the binomial proportion. scipy is not a dependency: the binomial sums are worked here with numpy, from
log-factorials, and the interval's ends by bisection on the exact tail sums.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .measures import round_half_away

LEVEL = 0.05  # verdicts at the 5% level; the interval is the matching 95% one
VERDICTS = ("increase", "reduction", "no clear change")
_RERR = 1 + 1e-7  # scipy.stats.binomtest's relative tolerance for "no more likely"


_SPAN = 40  # standard deviations either side of the mean: the terms beyond add less than e^-800


@functools.lru_cache(maxsize=32)
def _log_factorials(n: int) -> np.ndarray:
    """log i!, i = 0..n (an interval's bisection reads them a hundred times)."""
    out = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, n + 1, dtype=float)))))
    out.flags.writeable = False
    return out


def _log_choose(n: int) -> np.ndarray:
    """log C(n, i), i = 0..n."""
    logfact = _log_factorials(n)
    return logfact[n] - logfact - logfact[::-1]


def _log_pmf(n: int, p: float) -> np.ndarray:
    """log P(X = i), i = 0..n, X ~ Binomial(n, p), 0 < p < 1."""
    i = np.arange(n + 1, dtype=float)
    return _log_choose(n) + i * math.log(p) + (n - i) * math.log1p(-p)


def binom_pvalue(k: int, n: int, p: float = 0.5) -> float:
    """Two-sided exact binomial p-value of ``k`` successes in ``n`` trials, as scipy.stats.binomtest."""
    if n == 0:
        raise ValueError("no trials: nothing to test")
    if k * 1.0 == n * p:
        return 1.0
    pmf = np.exp(_log_pmf(n, p))
    return float(min(1.0, pmf[pmf <= pmf[k] * _RERR].sum()))


def _tail_at_least(k: int, n: int, p: float) -> float:
    """P(X >= k), X ~ Binomial(n, p): summed over the terms within _SPAN standard deviations of the mean."""
    if p <= 0:
        return 0.0 if k > 0 else 1.0
    if p >= 1:
        return 1.0
    mean, sd = n * p, math.sqrt(n * p * (1 - p))
    first, last = max(k, math.floor(mean - _SPAN * sd) - 1), min(n, math.ceil(mean + _SPAN * sd) + 1)
    if first > last:
        return 0.0 if k > mean else 1.0
    logfact = _log_factorials(n)
    i = np.arange(first, last + 1)
    logs = logfact[n] - logfact[i] - logfact[n - i] + i * math.log(p) + (n - i) * math.log1p(-p)
    return float(np.exp(logs).sum())


def _bisect(f, target: float) -> float:
    """The p in [0, 1] where the increasing function ``f`` reaches ``target`` (to double precision)."""
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if f(mid) < target else (lo, mid)
    return (lo + hi) / 2


def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval of a binomial proportion: the ends solve P(X >= k | lo) = a/2 and
    P(X <= k | hi) = a/2, with lo = 0 when k = 0 and hi = 1 when k = n (scipy's ``proportion_ci('exact')``)."""
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else _bisect(lambda p: _tail_at_least(k, n, p), a)
    hi = 1.0 if k == n else _bisect(lambda p: _tail_at_least(k + 1, n, p), 1 - a)
    return lo, hi


def _sig(x: float, digits: int = 4) -> float:
    """``x`` to ``digits`` significant figures (a p-value of 2.3e-07 stays 2.3e-07)."""
    return float(f"{x:.{digits}g}")


def _ratio(x: float | None) -> float | None:
    return None if x is None or math.isinf(x) else round_half_away(x, 3)


def poisson_test(value: int, previous: int, months: int = 12, months_previous: int | None = None) -> dict:
    """The ``significance`` object of figures.md for ``value`` (over ``months``) against ``previous`` (over
    ``months_previous``, by default as many): ``p_value`` (4 significant figures), ``ratio`` (of the monthly
    rates: value / previous when the months are equal; 3 decimals), ``ratio_ci95`` and ``verdict``.

    Nothing to test (0 against 0) gives null ``p_value``, ``ratio`` and ``ratio_ci95`` and "no clear change";
    a count against 0 has no ratio and an open upper end (``[lo, null]``)."""
    t, t0 = months, months_previous or months
    n = value + previous
    if n == 0:
        return {"p_value": None, "ratio": None, "ratio_ci95": None, "verdict": "no clear change"}
    share = t / (t + t0)
    p = binom_pvalue(value, n, share)
    lo, hi = clopper_pearson(value, n)
    scale = t0 / t  # a proportion pi of the sum is a count ratio pi / (1 - pi), a rate ratio that times t0 / t
    ratio = math.inf if previous == 0 else value / previous * scale
    ci = [lo / (1 - lo) * scale, math.inf if hi == 1 else hi / (1 - hi) * scale]
    verdict = "no clear change" if p >= LEVEL else ("increase" if ratio > 1 else "reduction")
    return {"p_value": _sig(p), "ratio": _ratio(ratio), "ratio_ci95": [_ratio(c) for c in ci], "verdict": verdict}


def _poisson_at_most(j: int, mu: float) -> float:
    """P(X <= j), X ~ Poisson(mu): summed over the terms within _SPAN standard deviations of the mean."""
    if j < 0:
        return 0.0
    if mu <= 0:
        return 1.0
    sd = math.sqrt(mu)
    first, last = max(0, math.floor(mu - _SPAN * sd) - 1), min(j, math.ceil(mu + _SPAN * sd) + 1)
    if first > last:
        return 0.0 if j < mu else 1.0
    i = np.arange(first, last + 1)
    logs = i * math.log(mu) - mu - _log_factorials(j)[i]
    return float(min(1.0, np.exp(logs).sum()))


def poisson_interval(k: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson mean from one count ``k``: the ends solve P(X >= k | lo) = a/2
    and P(X <= k | hi) = a/2, lo = 0 when k = 0 (the chi-square form, chi2(a/2, 2k)/2 to chi2(1-a/2, 2k+2)/2)."""
    a = (1 - level) / 2
    top = k + 20 * math.sqrt(k + 1) + 20  # far above the upper end: P(X <= k | top) is below 1e-20

    def solve(f, target: float) -> float:  # f decreasing in mu
        lo, hi = 0.0, top
        for _ in range(200):
            mid = (lo + hi) / 2
            if mid in (lo, hi):
                break
            lo, hi = (mid, hi) if f(mid) > target else (lo, mid)
        return (lo + hi) / 2

    low = 0.0 if k == 0 else solve(lambda mu: _poisson_at_most(k - 1, mu), 1 - a)
    return low, solve(lambda mu: _poisson_at_most(k, mu), a)


BANDS = ("higher than", "about the same as", "lower than")


def rate_band(ci: list[float] | tuple[float, float], comparator: float) -> str:
    """Where a rate stands against a comparator's rate, as police.uk's compare-your-area rated areas: its
    interval wholly above it ``higher than``, wholly below ``lower than``, around it (an end on it
    included) ``about the same as``."""
    lo, hi = ci
    return BANDS[0] if lo > comparator else BANDS[2] if hi < comparator else BANDS[1]
