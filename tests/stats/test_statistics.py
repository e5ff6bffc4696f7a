"""The weighted bootstrap statistics equal scipy's, resample by resample and interval by interval."""

import numpy as np
import pytest
from scipy import stats

from pipeline.stats.statistics import (
    correlation_p_value,
    mean_interval,
    partial_from_pairs,
    percentile_interval,
    resample_weights,
    weighted_kendall,
    weighted_pearson,
    weighted_ranks,
    weighted_slope,
)

# frequencies with many ties and zeros, as real class counts have; accuracies with a few ties
FREQUENCY = np.array([0, 0, 0, 3, 1, 0, 12, 3, 250, 0, 7, 1, 40, 0, 3], dtype=float)
ACCURACY = np.array([.1, .4, .0, .5, .3, .2, .8, .5, .9, .1, .6, .2, .7, .3, .45])
REFERENCE = np.array([.5, .6, .2, .7, .6, .4, .9, .6, .95, .3, .8, .5, .7, .6, .5])


@pytest.fixture(scope="module")
def draws():
    weights = resample_weights(len(FREQUENCY), n_resamples=200, seed=7)
    indices = np.random.default_rng(7).integers(0, len(FREQUENCY), (200, len(FREQUENCY)))
    return weights, indices


def test_weights_count_scipys_paired_resamples(draws):
    weights, indices = draws
    assert weights.shape == (200, 15) and (weights.sum(axis=1) == 15).all()
    assert (weights[3] == np.bincount(indices[3], minlength=15)).all()


def test_weighted_statistics_equal_scipy_on_every_resample(draws):
    weights, indices = draws
    log_frequency = np.log10(1 + FREQUENCY)
    rho = weighted_pearson(weighted_ranks(FREQUENCY, weights), weighted_ranks(ACCURACY, weights), weights)
    tau = weighted_kendall(FREQUENCY, ACCURACY, weights)
    r = weighted_pearson(log_frequency, ACCURACY, weights)
    slope = weighted_slope(log_frequency, ACCURACY, weights)
    for k in range(0, 200, 7):
        x, y = FREQUENCY[indices[k]], ACCURACY[indices[k]]
        assert weighted_ranks(FREQUENCY, weights)[k][indices[k]] == pytest.approx(stats.rankdata(x))
        assert rho[k] == pytest.approx(stats.spearmanr(x, y).statistic, abs=1e-12)
        assert tau[k] == pytest.approx(stats.kendalltau(x, y).statistic, abs=1e-12)
        assert r[k] == pytest.approx(stats.pearsonr(np.log10(1 + x), y).statistic, abs=1e-12)
        assert slope[k] == pytest.approx(stats.linregress(np.log10(1 + x), y).slope, abs=1e-12)


def test_a_resample_of_only_zero_frequencies_is_undefined_not_zero():
    weights = np.zeros((1, 15))
    weights[0, [0, 1, 2]] = 5  # three classes, all with frequency 0
    ranks = weighted_ranks(FREQUENCY, weights)
    assert np.isnan(weighted_pearson(ranks, weighted_ranks(ACCURACY, weights), weights)[0])
    assert np.isnan(weighted_kendall(FREQUENCY, ACCURACY, weights)[0])


def test_interval_equals_scipy_bootstrap():
    def spearman(x, y, axis=-1):
        return stats.pearsonr(stats.rankdata(x, axis=axis), stats.rankdata(y, axis=axis), axis=axis).statistic

    expected = stats.bootstrap((FREQUENCY, ACCURACY), spearman, paired=True, vectorized=True, n_resamples=1000,
                               method="percentile", rng=np.random.default_rng(11))
    weights = resample_weights(15, 1000, 11)
    resampled = weighted_pearson(weighted_ranks(FREQUENCY, weights), weighted_ranks(ACCURACY, weights), weights)
    low, high, usable = percentile_interval(resampled)
    distribution = expected.bootstrap_distribution
    assert usable == np.isfinite(distribution).sum()
    assert (low, high) == pytest.approx(tuple(stats.quantile(distribution, [0.025, 0.975], nan_policy="omit")), abs=1e-12)


def test_mean_interval_equals_scipy_bootstrap():
    expected = stats.bootstrap((ACCURACY,), np.mean, n_resamples=1000, method="percentile", rng=np.random.default_rng(3))
    assert mean_interval(ACCURACY, 1000, 3) == pytest.approx(tuple(expected.confidence_interval), abs=1e-12)
    assert mean_interval(ACCURACY[:1], 1000, 3) == (None, None)


def test_partial_spearman_is_the_correlation_of_rank_residuals():
    ranks = [stats.rankdata(v) for v in (FREQUENCY, ACCURACY, REFERENCE)]
    residual_x = ranks[0] - np.polyval(np.polyfit(ranks[2], ranks[0], 1), ranks[2])
    residual_y = ranks[1] - np.polyval(np.polyfit(ranks[2], ranks[1], 1), ranks[2])
    pairs = [stats.spearmanr(a, b).statistic for a, b in
             ((FREQUENCY, ACCURACY), (FREQUENCY, REFERENCE), (ACCURACY, REFERENCE))]
    partial = partial_from_pairs(*map(np.float64, pairs))
    assert partial == pytest.approx(stats.pearsonr(residual_x, residual_y).statistic, abs=1e-12)
    # its p-value has one degree of freedom fewer than a plain correlation's
    assert correlation_p_value(0.5, 30) == pytest.approx(stats.pearsonr(*_correlated(0.5, 30)).pvalue, rel=1e-9)
    assert correlation_p_value(0.5, 30, 1) > correlation_p_value(0.5, 30)


def _correlated(r, n):
    """Two series whose sample correlation is exactly r."""
    rng = np.random.default_rng(0)
    a, noise = rng.standard_normal(n), rng.standard_normal(n)
    a = (a - a.mean()) / a.std()
    noise = noise - noise.mean() - a * (noise @ a) / n
    noise = noise / noise.std()
    return a, r * a + np.sqrt(1 - r * r) * noise
