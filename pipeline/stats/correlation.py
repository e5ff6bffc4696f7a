"""Correlation: does a class's accuracy follow how often the class was seen, and how surely?

Per model × frequency scope: Spearman's rho and Kendall's tau-b on the frequency, Pearson's r and a
least-squares slope (accuracy per decade) on log10(1 + frequency) — raw counts span six decades, and
Pearson on them measures a handful of very frequent classes — each with scipy's p-value and a seeded
bootstrap percentile interval. With a reference model (`options.reference_model`, e.g. the CLIP
encoder inside a VLM), the partial Spearman of accuracy on frequency given the reference's accuracy
separates exposure from how hard a class is. Binned curves: mean accuracy per frequency bin, in the
published bins and in decades, with bootstrap intervals.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl

from .statistics import (
    CONFIDENCE,
    N_RESAMPLES,
    SEED,
    correlation_p_value,
    mean_interval,
    pair_signs,
    partial_from_pairs,
    percentile_interval,
    resample_weights,
    tied_pairs,
    weighted_kendall,
    weighted_pearson,
    weighted_ranks,
    weighted_slope,
)

FREQUENCY_MEASURE = "n_docs"
# Zhang et al.'s bins; the last one is ours, so that no class falls outside the curve.
PAPER_EDGES = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 1_000, 10_000, 100_000, None)
DECADES = 10


def frequency_bins() -> pl.DataFrame:
    """The bins of both schemes: [lower, upper) on the frequency; upper null means unbounded."""
    rows = []
    for index, (lower, upper) in enumerate(zip(PAPER_EDGES, PAPER_EDGES[1:])):
        label = f"[{lower:,}, {upper:,})" if upper is not None else f"≥ {lower:,}"
        rows.append(("paper", index, label, lower, upper))
    rows.append(("decade", 0, "0", 0, 1))
    for decade in range(DECADES):
        lower, upper = 10**decade, 10 ** (decade + 1)
        rows.append(("decade", decade + 1, f"[{lower:,}, {upper:,})", lower, upper))
    return pl.DataFrame(rows, schema={"scheme": pl.String, "bin_index": pl.Int32, "bin": pl.String,
                                      "lower": pl.Int64, "upper": pl.Int64}, orient="row")


@functools.lru_cache(maxsize=4)
def _weights(n: int, n_resamples: int, seed: int) -> np.ndarray:
    return resample_weights(n, n_resamples, seed)


@dataclass(frozen=True)
class _Resampled:
    """What the bootstrap needs of one variable, whatever it is paired with: its ranks in every resample minus
    their weighted mean (and those times the weights), their spread, its pair signs and its tied pairs."""

    centred_ranks: np.ndarray
    weighted_ranks: np.ndarray
    rank_spread: np.ndarray
    signs: np.ndarray
    ties: np.ndarray


# Every model meets the same frequencies in a scope, and its own accuracies in every scope: preparing
# each once saves most of the work (a scope's frequencies are computed for 21 models). Keyed by content,
# so a cached result can never be a wrong one; the models are visited one after the other, so a few
# entries beyond the scopes' frequencies suffice.
@functools.lru_cache(maxsize=24)
def _cached_resampled(values: bytes, n_resamples: int, seed: int) -> _Resampled:
    array = np.frombuffer(values)
    weights = _weights(len(array), n_resamples, seed)
    ranks = weighted_ranks(array, weights)
    centred = ranks - (weights * ranks).sum(axis=1, keepdims=True) / weights.sum(axis=1, keepdims=True)
    weighted = weights * centred
    return _Resampled(centred, weighted, np.einsum("ij,ij->i", weighted, centred), pair_signs(array),
                      tied_pairs(array, weights))


def _resampled(values: np.ndarray, n_resamples: int, seed: int) -> _Resampled:
    return _cached_resampled(np.ascontiguousarray(values, dtype=float).tobytes(), n_resamples, seed)


def _resampled_spearman(a: _Resampled, b: _Resampled) -> np.ndarray:
    """Spearman's rho in every resample: Pearson's r of the ranks, from the prepared ranks of each side."""
    co_moment = np.einsum("ij,ij->i", a.weighted_ranks, b.centred_ranks)
    defined = a.rank_spread * b.rank_spread > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(defined, co_moment / np.sqrt(np.where(defined, a.rank_spread * b.rank_spread, 1.0)), np.nan)


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _interval(name: str, resampled: np.ndarray) -> dict[str, float | int | None]:
    low, high, usable = percentile_interval(resampled)
    return {f"{name}_low": low, f"{name}_high": high, f"{name}_resamples": usable}


def correlation_row(frequency: np.ndarray, accuracy: np.ndarray, n_resamples: int = N_RESAMPLES,
                    seed: int = SEED) -> dict[str, float | int | None]:
    """Pure core: every statistic of one model × scope; classes in a fixed (class_index) order."""
    from scipy import stats  # imported here: 0.7 s that the worker pool need not pay
    n = len(frequency)
    row: dict[str, float | int | None] = {"n_classes": n, "n_zero": int((frequency == 0).sum())}
    names = ("spearman_rho", "spearman_p", "kendall_tau", "kendall_p", "pearson_log_r", "pearson_log_p",
             "slope_per_decade", "intercept")
    intervals = ("spearman", "kendall", "pearson_log", "slope")
    if n < 3 or np.ptp(frequency) == 0 or np.ptp(accuracy) == 0:
        return row | dict.fromkeys(names) | {f"{name}_{end}": None for name in intervals
                                              for end in ("low", "high", "resamples")}
    log_frequency = np.log10(1 + frequency)
    spearman = stats.spearmanr(frequency, accuracy)
    kendall = stats.kendalltau(frequency, accuracy)
    pearson = stats.pearsonr(log_frequency, accuracy)
    fit = stats.linregress(log_frequency, accuracy)
    row |= {
        "spearman_rho": _finite(spearman.statistic), "spearman_p": _finite(spearman.pvalue),
        "kendall_tau": _finite(kendall.statistic), "kendall_p": _finite(kendall.pvalue),
        "pearson_log_r": _finite(pearson.statistic), "pearson_log_p": _finite(pearson.pvalue),
        "slope_per_decade": _finite(fit.slope), "intercept": _finite(fit.intercept),
    }
    weights = _weights(n, n_resamples, seed)
    by_frequency, by_accuracy = _resampled(frequency, n_resamples, seed), _resampled(accuracy, n_resamples, seed)
    return (
        row
        | _interval("spearman", _resampled_spearman(by_frequency, by_accuracy))
        | _interval("kendall", weighted_kendall(frequency, accuracy, weights, by_frequency.signs, by_accuracy.signs,
                                                by_frequency.ties, by_accuracy.ties))
        | _interval("pearson_log", weighted_pearson(log_frequency, accuracy, weights))
        | _interval("slope", weighted_slope(log_frequency, accuracy, weights))
    )


def partial_row(frequency: np.ndarray, accuracy: np.ndarray, reference: np.ndarray,
                n_resamples: int = N_RESAMPLES, seed: int = SEED) -> dict[str, float | int | None]:
    """Partial Spearman of accuracy on frequency given a reference model's accuracy on the same classes."""
    from scipy import stats
    n = len(frequency)
    empty = {"partial_spearman": None, "partial_spearman_p": None, "partial_spearman_low": None,
             "partial_spearman_high": None, "partial_spearman_resamples": None, "n_partial_classes": n}
    if n < 4 or min(np.ptp(frequency), np.ptp(accuracy), np.ptp(reference)) == 0:
        return empty
    r_xy, r_xz, r_yz = (stats.spearmanr(a, b).statistic for a, b in
                        ((frequency, accuracy), (frequency, reference), (accuracy, reference)))
    value = _finite(partial_from_pairs(np.float64(r_xy), np.float64(r_xz), np.float64(r_yz)))
    if value is None:
        return empty
    by_frequency, by_accuracy, by_reference = (_resampled(values, n_resamples, seed)
                                               for values in (frequency, accuracy, reference))
    resampled = partial_from_pairs(_resampled_spearman(by_frequency, by_accuracy),
                                   _resampled_spearman(by_frequency, by_reference),
                                   _resampled_spearman(by_accuracy, by_reference))
    low, high, usable = percentile_interval(resampled)
    return empty | {"partial_spearman": value, "partial_spearman_p": correlation_p_value(value, n, 1),
                    "partial_spearman_low": low, "partial_spearman_high": high, "partial_spearman_resamples": usable}


CORRELATION_SCHEMA = {
    "model": pl.String, "scope": pl.String, "frequency": pl.String, "n_classes": pl.Int64, "n_zero": pl.Int64,
    **{f"{name}": pl.Float64 for name in ("spearman_rho", "spearman_p", "spearman_low", "spearman_high")},
    **{f"{name}": pl.Float64 for name in ("kendall_tau", "kendall_p", "kendall_low", "kendall_high")},
    **{f"{name}": pl.Float64 for name in ("pearson_log_r", "pearson_log_p", "pearson_log_low", "pearson_log_high")},
    **{f"{name}": pl.Float64 for name in ("slope_per_decade", "intercept", "slope_low", "slope_high")},
    "reference_model": pl.String, "n_partial_classes": pl.Int64,
    **{f"{name}": pl.Float64 for name in ("partial_spearman", "partial_spearman_p", "partial_spearman_low",
                                           "partial_spearman_high")},
    **{f"{name}_resamples": pl.Int64 for name in ("spearman", "kendall", "pearson_log", "slope", "partial_spearman")},
    "n_resamples": pl.Int64, "confidence": pl.Float64, "seed": pl.Int64,
}


def correlations(joined: pl.DataFrame, reference_model: str | None = None, measure: str = FREQUENCY_MEASURE,
                 n_resamples: int = N_RESAMPLES, seed: int = SEED) -> pl.DataFrame:
    """Pure core: the joined frequency–accuracy rows (see `sql/frequency_accuracy.sql`) → one row per model × scope."""
    from scipy import stats
    rows = []
    # a stage fed by one source has the same frequencies as that source's scope: compute them once
    computed: dict[tuple[bytes, bytes], dict] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        for (model, scope), group in joined.sort(["model", "scope", "class_index"]).group_by(
                ["model", "scope"], maintain_order=True):
            frequency = group[measure].to_numpy().astype(float)
            accuracy = group["accuracy"].to_numpy().astype(float)
            key = (frequency.tobytes(), accuracy.tobytes())
            if key not in computed:
                computed[key] = correlation_row(frequency, accuracy, n_resamples, seed)
            row = {"model": model, "scope": scope, "frequency": measure, **computed[key],
                   "reference_model": reference_model, "n_resamples": n_resamples, "confidence": CONFIDENCE, "seed": seed}
            if reference_model is not None and model != reference_model:
                paired = group.filter(pl.col("reference_accuracy").is_not_null())
                row |= partial_row(paired[measure].to_numpy().astype(float), paired["accuracy"].to_numpy(),
                                   paired["reference_accuracy"].to_numpy(), n_resamples, seed)
            rows.append(row)
    return pl.DataFrame(rows, schema=CORRELATION_SCHEMA).sort(["model", "scope"])


def correlated_points(joined: pl.DataFrame, measure: str) -> pl.DataFrame:
    """The points behind every correlation, under the run's counting method: what the charts and bins read."""
    return joined.select("model", "scope", "class_id", "class_index", "wnid", "display_name",
                         pl.col(measure).cast(pl.Float64).alias("frequency"), "accuracy", "reference_accuracy")


def binned_accuracy(binned: pl.DataFrame, n_resamples: int = N_RESAMPLES, seed: int = SEED) -> pl.DataFrame:
    """Pure core: the classes of each bin (see `sql/binned_classes.sql`) → mean accuracy with its interval."""
    samples = [np.asarray(values, dtype=float) for values in binned["accuracies"]]
    intervals: list[tuple[float | None, float | None]] = [(None, None)] * len(samples)
    for index in sorted(range(len(samples)), key=lambda index: len(samples[index])):  # bins of one size share draws
        intervals[index] = mean_interval(samples[index], n_resamples, seed)
    return binned.drop("accuracies").with_columns(
        ci_low=pl.Series([low for low, _ in intervals], dtype=pl.Float64),
        ci_high=pl.Series([high for _, high in intervals], dtype=pl.Float64),
    ).sort(["model", "scope", "scheme", "bin_index"])
