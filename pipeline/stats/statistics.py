"""Rank and linear statistics of frequency against accuracy, with bootstrap percentile intervals.

A bootstrap resample is a multiset of the original classes, so every statistic here is computed
from per-class weights (how often each class was drawn) instead of from copied arrays: midranks,
means and Kendall's pair counts are weighted sums, and 1,000 resamples of 1,000 classes take a
fraction of a second. Point estimates and p-values come from scipy itself.

The resamples are exactly those of `scipy.stats.bootstrap(..., paired=True, method="percentile",
rng=numpy.random.default_rng(seed))`, and the interval is its percentile interval; a resample on
which a statistic is undefined (e.g. every drawn class has frequency zero) is left out of the
interval, and the number of usable resamples is reported beside it.
"""

from __future__ import annotations

import functools

import numpy as np

from ..core.config import DEFAULT_SEED, MIN_RESAMPLES

CONFIDENCE = 0.95
N_RESAMPLES, SEED = MIN_RESAMPLES, DEFAULT_SEED  # a run's defaults, for callers outside a run


def resample_weights(n: int, n_resamples: int = N_RESAMPLES, seed: int = SEED) -> np.ndarray:
    """n_resamples × n draw counts: how often each class is drawn into each of scipy's paired resamples."""
    indices = np.random.default_rng(seed).integers(0, n, (n_resamples, n))
    offsets = (np.arange(n_resamples) * n)[:, None]
    counts = np.bincount((indices + offsets).ravel(), minlength=n_resamples * n)
    return counts.reshape(n_resamples, n).astype(float)


def _tie_groups(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorting order, the start of each run of equal values in it, and each value's run number."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    new_run = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    run_of = np.empty(len(values), dtype=np.int64)
    run_of[order] = np.cumsum(new_run) - 1
    return order, np.flatnonzero(new_run), run_of


def _run_weights(values: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order, starts, run_of = _tie_groups(values)
    return np.add.reduceat(weights[:, order], starts, axis=1), run_of


def weighted_ranks(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Midranks of each class's value within each weighted sample (ties share their mean rank)."""
    per_run, run_of = _run_weights(values, weights)
    below = np.cumsum(per_run, axis=1) - per_run
    return (below + (per_run + 1) / 2)[:, run_of]


def _weighted_sum(weights: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Σ w·v per sample: a matrix product for per-class values, a row-wise dot for per-sample ones."""
    return weights @ values if values.ndim == 1 else np.einsum("ij,ij->i", weights, values)


def _centred_moments(a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted co-moment of a and b and the second moment of each, per sample (all times the total weight)."""
    if a.ndim == 1 and b.ndim == 1:  # per-class values: every sum, the total weight too, is one product
        total, sum_a, sum_b, sum_ab, sum_aa, sum_bb = (
            weights @ np.column_stack([np.ones_like(a), a, b, a * b, a * a, b * b])).T
        return sum_ab - sum_a * sum_b / total, _spread(sum_aa, sum_a, total), _spread(sum_bb, sum_b, total)
    total = weights.sum(axis=1)
    sum_a, sum_b = _weighted_sum(weights, a), _weighted_sum(weights, b)
    weighted_a = weights * a
    sum_ab = weighted_a @ b if b.ndim == 1 else np.einsum("ij,ij->i", weighted_a, b)
    sum_aa = weighted_a @ a if a.ndim == 1 else np.einsum("ij,ij->i", weighted_a, a)
    sum_bb = _weighted_sum(weights, b * b) if b.ndim == 1 else np.einsum("ij,ij,ij->i", weights, b, b)
    return sum_ab - sum_a * sum_b / total, _spread(sum_aa, sum_a, total), _spread(sum_bb, sum_b, total)


def _spread(sum_squares: np.ndarray, sum_values: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Σw(v − mean)² from raw sums; a constant sample is exactly 0, not the rounding noise of a difference."""
    spread = sum_squares - sum_values**2 / total
    return np.where(spread > 1e-12 * sum_squares, spread, 0.0)


def weighted_pearson(a: np.ndarray, b: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pearson's r per weighted sample; `a` and `b` are per class or per sample × class."""
    co_moment, moment_a, moment_b = _centred_moments(a, b, weights)
    defined = moment_a * moment_b > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(defined, co_moment / np.sqrt(np.where(defined, moment_a * moment_b, 1.0)), np.nan)


def weighted_slope(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Least-squares slope of y on x per weighted sample."""
    co_moment, moment_x, _ = _centred_moments(x, y, weights)
    return np.where(moment_x > 0, co_moment / np.where(moment_x > 0, moment_x, 1.0), np.nan)


def pair_signs(values: np.ndarray) -> np.ndarray:
    """sign(vi − vj) for every pair of classes, as int8 (a thousand classes: 1 MB)."""
    return np.sign(values[:, None] - values[None, :]).astype(np.int8)


def tied_pairs(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pairs of drawn classes with equal values, per weighted sample."""
    per_run, _ = _run_weights(values, weights)
    return (per_run * (per_run - 1) / 2).sum(axis=1)


def weighted_kendall(x: np.ndarray, y: np.ndarray, weights: np.ndarray, signs_x: np.ndarray | None = None,
                     signs_y: np.ndarray | None = None, ties_x: np.ndarray | None = None,
                     ties_y: np.ndarray | None = None) -> np.ndarray:
    """Kendall's tau-b per weighted sample (scipy's default variant).

    Concordant minus discordant pairs is ½·wᵀSw with S[i, j] = sign(xi − xj)·sign(yi − yj): copies of
    one class tie with each other and add nothing. Pair counts stay below 2²⁴, exact in float32. The signs
    and ties of each variable, which depend on it alone, may be passed in when many pairs share it.
    """
    signs_x = pair_signs(x) if signs_x is None else signs_x
    signs_y = pair_signs(y) if signs_y is None else signs_y
    concordance = (signs_x * signs_y).astype(np.float32)
    score = ((weights.astype(np.float32) @ concordance).astype(float) * weights).sum(axis=1) / 2
    total = weights.sum(axis=1)
    pairs = total * (total - 1) / 2
    ties_x = tied_pairs(x, weights) if ties_x is None else ties_x
    ties_y = tied_pairs(y, weights) if ties_y is None else ties_y
    with np.errstate(invalid="ignore", divide="ignore"):
        return score / np.sqrt((pairs - ties_x) * (pairs - ties_y))


def partial_from_pairs(r_xy: np.ndarray, r_xz: np.ndarray, r_yz: np.ndarray) -> np.ndarray:
    """Correlation of x and y with z held fixed, from the three pairwise correlations."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (r_xy - r_xz * r_yz) / np.sqrt((1 - r_xz**2) * (1 - r_yz**2))


def percentile_interval(resampled: np.ndarray, confidence: float = CONFIDENCE) -> tuple[float | None, float | None, int]:
    """scipy's percentile interval over the resamples where the statistic is defined, and their number."""
    usable = resampled[np.isfinite(resampled)]
    if usable.size < 2:
        return None, None, int(usable.size)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(usable, [alpha, 1 - alpha])
    return float(low), float(high), int(usable.size)


def correlation_p_value(r: float, n: int, n_controlled: int = 0) -> float | None:
    """Two-sided p of a (partial) correlation: t = r·√(df / (1 − r²)), df = n − 2 − controlled variables."""
    from scipy import stats  # imported here: 0.7 s that the worker pool need not pay
    df = n - 2 - n_controlled
    if not np.isfinite(r) or df < 1:
        return None
    if abs(r) >= 1:
        return 0.0
    t = r * np.sqrt(df / (1 - r * r))
    return float(2 * stats.t.sf(abs(t), df))


def mean_interval(values: np.ndarray, n_resamples: int = N_RESAMPLES, seed: int = SEED) -> tuple[float | None, float | None]:
    """Bootstrap percentile interval of a mean (scipy's resamples of one sample); none under two values."""
    if len(values) < 2:
        return None, None
    low, high, _ = percentile_interval(values[_resample_indices(len(values), n_resamples, seed)].mean(axis=1))
    return low, high


@functools.lru_cache(maxsize=2)
def _resample_indices(n: int, n_resamples: int, seed: int) -> np.ndarray:
    """scipy's resamples of n values: the same for every bin of n classes, so drawn once."""
    return np.random.default_rng(seed).integers(0, n, (n_resamples, n))
