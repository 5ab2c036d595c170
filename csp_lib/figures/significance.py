"""Is a change beyond chance? The exact conditional test for two Poisson counts, and exact intervals.

Two counts of the same kind, ``value`` over ``months`` and ``previous`` over ``months_previous``: if both
came from one steady monthly rate, then given their sum ``n``, ``value`` is Binomial(n, t / (t + t0))
(1/2 when the periods have as many months). The two-sided p-value is the one ``scipy.stats.binomtest``
gives (the sum of the probabilities of every outcome no more likely than the one seen, with its relative
tolerance of 1e-7); the 95% interval of the rate ratio comes from the Clopper-Pearson (exact) interval of
the binomial proportion. scipy is not a dependency: the binomial sums are worked here with numpy, from
log-factorials, and the interval's ends by Brent's method on the exact tail sums.
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


# the three below are pure functions of a few numbers, met again and again: a county's figures are in each of
# its districts' reports, and a build or a notebook computes every district (a memo of a few MB at most)
_memo = functools.lru_cache(maxsize=1 << 16)


@_memo
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


def _root(f, target: float, lo: float, hi: float) -> float:
    """The x in [lo, hi] where the monotone function ``f`` reaches ``target``, to double precision: Brent's
    method (inverse quadratic interpolation, secant steps and bisection, as scipy's ``brentq``), about ten
    evaluations of ``f`` where bisection takes sixty; ``f(lo) - target`` and ``f(hi) - target`` of
    opposite signs (an end where ``f`` meets the target is the root)."""
    a, b = lo, hi
    fa, fb = f(a) - target, f(b) - target
    if fa == 0:
        return a
    if fb == 0:
        return b
    c, fc = a, fa
    d = e = b - a
    for _ in range(200):
        if (fb > 0) == (fc > 0):  # the root lies between a and b: c takes a's place
            c, fc = a, fa
            d = e = b - a
        if abs(fc) < abs(fb):  # b is the best estimate so far
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol = 2 * _EPS * abs(b) + 1e-300
        m = (c - b) / 2
        if abs(m) <= tol or fb == 0:
            return b
        if abs(e) >= tol and abs(fa) > abs(fb):
            s = fb / fa
            if a == c:  # secant
                p, q = 2 * m * s, 1 - s
            else:  # inverse quadratic interpolation
                q, r = fa / fc, fb / fc
                p = s * (2 * m * q * (q - r) - (b - a) * (r - 1))
                q = (q - 1) * (r - 1) * (s - 1)
            if p > 0:
                q = -q
            p = abs(p)
            if 2 * p < min(3 * m * q - abs(tol * q), abs(e * q)):
                e, d = d, p / q
            else:
                d = e = m
        else:
            d = e = m
        a, fa = b, fb
        b += d if abs(d) > tol else (tol if m > 0 else -tol)
        fb = f(b) - target
    return b


_EPS = 2.220446049250313e-16


@_memo
def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval of a binomial proportion: the ends solve P(X >= k | lo) = a/2 and
    P(X <= k | hi) = a/2, with lo = 0 when k = 0 and hi = 1 when k = n (scipy's ``proportion_ci('exact')``)."""
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else _root(lambda p: _tail_at_least(k, n, p), a, 0.0, 1.0)
    hi = 1.0 if k == n else _root(lambda p: _tail_at_least(k + 1, n, p), 1 - a, 0.0, 1.0)
    return lo, hi


def _sig(x: float, digits: int = 4) -> float:
    """``x`` to ``digits`` significant figures (a p-value of 2.3e-07 stays 2.3e-07)."""
    return float(f"{x:.{digits}g}")


def _ratio(x: float | None) -> float | None:
    return None if x is None or math.isinf(x) else round_half_away(x, 3)


def poisson_test(value: int, previous: int, months: int = 12, months_previous: int | None = None) -> dict:
    """The ``significance`` object of figures.md (see :func:`_poisson_test`), a new one at each call: the
    same counts are tested in every report of a county (each district's row), so the sums are kept."""
    out = _poisson_test(int(value), int(previous), int(months), int(months_previous or months))
    return {**out, "ratio_ci95": None if out["ratio_ci95"] is None else list(out["ratio_ci95"])}


@functools.lru_cache(maxsize=65536)
def _poisson_test(value: int, previous: int, months: int = 12, months_previous: int | None = None) -> dict:
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


@_memo
def poisson_interval(k: int, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson mean from one count ``k``: the ends solve P(X >= k | lo) = a/2
    and P(X <= k | hi) = a/2, lo = 0 when k = 0 (the chi-square form, chi2(a/2, 2k)/2 to chi2(1-a/2, 2k+2)/2)."""
    a = (1 - level) / 2
    top = k + 20 * math.sqrt(k + 1) + 20  # far above the upper end: P(X <= k | top) is below 1e-20

    low = 0.0 if k == 0 else _root(lambda mu: _poisson_at_most(k - 1, mu), 1 - a, 0.0, top)
    return low, _root(lambda mu: _poisson_at_most(k, mu), a, 0.0, top)


BANDS = ("higher than", "about the same as", "lower than")


def rate_band(ci: list[float] | tuple[float, float], comparator: float) -> str:
    """Where a rate stands against a comparator's rate, as police.uk's compare-your-area rated areas: its
    interval wholly above it ``higher than``, wholly below ``lower than``, around it (an end on it
    included) ``about the same as``."""
    lo, hi = ci
    return BANDS[0] if lo > comparator else BANDS[2] if hi < comparator else BANDS[1]
