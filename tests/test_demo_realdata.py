"""The demo run on the real data in ../shared/data: the numbers in DuckDB are what scipy says."""

import duckdb
import numpy as np
import pytest
from scipy import stats

from pipeline.config import load_run
from pipeline.runner import run_pipeline

from .conftest import SHARED_DATA, requires_shared_data

pytestmark = [requires_shared_data, pytest.mark.realdata]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLASSFREQ_WORK", str(work / "work"))
        patch.setenv("DEMO_DATA", str(SHARED_DATA))
        patch.setenv("CLASSFREQ_PROGRESS", "off")
        patch.chdir(work)
        run = load_run("demo")
        run_pipeline(run)
        yield run, work


def test_demo_writes_the_database_and_the_report(demo):
    run, work = demo
    assert run.database.exists()
    page = (work / "reports" / "demo.html").read_text()
    assert "classfreq report: demo" in page


def test_correlations_equal_scipy_on_the_joined_table(demo):
    run, _ = demo
    with duckdb.connect(str(run.database), read_only=True) as connection:
        stored = connection.execute(
            "select model, scope, n_classes, n_zero, spearman_rho, spearman_p, pearson_log_r, pearson_log_p from correlations"
        ).fetchall()
        assert len({row[0] for row in stored}) == 21
        for model, scope, n_classes, n_zero, rho, rho_p, r, r_p in stored:
            rows = connection.execute(
                """select f.n_docs, a.accuracy from class_frequency_by_scope f join accuracy a using (class_id)
                   where a.model = ? and f.scope = ?""",
                [model, scope],
            ).fetchall()
            frequency = np.array([row[0] for row in rows], dtype=float)
            accuracy = np.array([row[1] for row in rows])
            assert n_classes == len(rows) == 1000
            assert n_zero == int((frequency == 0).sum())
            expected = stats.spearmanr(frequency, accuracy)
            assert rho == pytest.approx(expected.statistic, abs=1e-12)
            assert rho_p == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
            expected = stats.pearsonr(np.log10(1 + frequency), accuracy)
            assert r == pytest.approx(expected.statistic, abs=1e-12)
            assert r_p == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)


def test_every_imagenet_class_of_the_clip_results_resolves(demo):
    run, _ = demo
    with duckdb.connect(str(run.database), read_only=True) as connection:
        assert connection.execute("select count(*) from accuracy_unresolved").fetchone()[0] == 0
        per_model = connection.execute("select model, count(distinct class_id) from accuracy group by model").fetchall()
    assert len(per_model) == 21 and all(count == 1000 for _, count in per_model)


def test_rerunning_the_demo_does_no_work(demo):
    run, _ = demo
    assert all(result.skipped for result in run_pipeline(run))


def test_the_default_policy_reaches_the_precision_and_recall_targets_on_the_dev_set(demo):
    from pipeline.count import run_policy

    run, work = demo
    with duckdb.connect(str(run.database), read_only=True) as connection:
        precision, recall, n = connection.execute(
            "select precision, recall, n_occurrences from policy_evaluation where policy = ?", [run_policy(run)]).fetchone()
    assert n >= 300
    assert precision >= 0.9 and recall >= 0.9
    assert "Precision and recall of each policy" in (work / "reports" / "demo.html").read_text()
