"""The demo run on the real data in ../shared/data: the numbers in DuckDB and in the report are what scipy says."""

import re

import duckdb
import numpy as np
import polars as pl
import pytest
from scipy import stats

from pipeline.core.config import load_run
from pipeline.core.paths import LABELS_DIR, SQL_DIR
from pipeline.core.sql import connect_for_queries
from pipeline.core.stage import document_shards, read_manifest
from pipeline.runner import run_pipeline
from pipeline.stats.devset import locate_text_units, source_files
from pipeline.stats.labels import occurrence_labels, per_class_labels

from ..browser import Browser, requires_chromium
from ..cli_runs import classfreq
from ..conftest import SHARED_DATA, project_directory, requires_shared_data
from ..test_docs import README, TABLES_PAGE, database_schema, parse_tables_page, readme_problems, schema_differences

pytestmark = [requires_shared_data, pytest.mark.realdata, pytest.mark.slow]
SCOPES = ["combined", "pretrain", "instruct", "source:cc3m_val", "source:coco_val2017", "source:flickr8k",
          "source:llava_gpt4_qa"]
N_MODELS = 21


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    with project_directory(work) as patch:
        patch.setenv("DEMO_DATA", str(SHARED_DATA))
        run = load_run("demo")
        run_pipeline(run)
        yield run, work


def test_every_imagenet_class_of_the_clip_results_resolves(demo):
    run, _ = demo
    with duckdb.connect(str(run.database), read_only=True) as connection:
        assert connection.execute("select count(*) from accuracy_unresolved").fetchone()[0] == 0
        per_model = connection.execute("select model, count(distinct class_id) from accuracy group by model").fetchall()
        scales = connection.execute("select distinct scale from accuracy_models").fetchall()
    assert len(per_model) == N_MODELS and all(count == 1000 for _, count in per_model)
    assert scales == [("percent",)]


def _spearman(x, y, axis=-1):
    return stats.pearsonr(stats.rankdata(x, axis=axis), stats.rankdata(y, axis=axis), axis=axis).statistic


def _partial_spearman(x, y, z, axis=-1):
    rx, ry, rz = (stats.rankdata(v, axis=axis) for v in (x, y, z))
    r_xy, r_xz, r_yz = (stats.pearsonr(a, b, axis=axis).statistic for a, b in ((rx, ry), (rx, rz), (ry, rz)))
    return (r_xy - r_xz * r_yz) / np.sqrt((1 - r_xz**2) * (1 - r_yz**2))


def _log_statistics(x, y, axis=-1):
    """Pearson r and least-squares slope on log10(1 + frequency), for a batch of resamples."""
    log_x = np.log10(1 + x)
    slope = (((log_x - log_x.mean(axis=axis, keepdims=True)) * (y - y.mean(axis=axis, keepdims=True))).sum(axis=axis)
             / ((log_x - log_x.mean(axis=axis, keepdims=True)) ** 2).sum(axis=axis))
    return np.stack([stats.pearsonr(log_x, y, axis=axis).statistic, slope])


def _interval(data, statistic, n_resamples, seed, vectorized=True):
    result = stats.bootstrap(data, statistic, paired=True, vectorized=vectorized, n_resamples=n_resamples,
                             method="percentile", rng=np.random.default_rng(seed))
    return np.atleast_2d(stats.quantile(result.bootstrap_distribution, [0.025, 0.975], nan_policy="omit", axis=-1))


@pytest.mark.parametrize("scope", SCOPES)
def test_every_correlation_and_interval_equals_scipy_on_the_tables(demo, scope):
    """Re-derives each row of `correlations` from `class_frequency_by_scope` and `accuracy` with scipy.

    Kendall's interval is re-derived with scipy's bootstrap for the combined scope (scipy's kendalltau
    takes ~1 s per 1,000 resamples); `test_statistics` checks the fast version on every resample.
    """
    run, _ = demo
    with duckdb.connect(str(run.database), read_only=True) as connection:
        stored = connection.execute("select * from correlations where scope = ? order by model", [scope]).fetchdf()
        assert len(stored) == N_MODELS
        for row in stored.to_dict("records"):
            rows = connection.execute(
                """select f.n_docs, a.accuracy, r.accuracy from class_frequency_by_scope f
                   join accuracy a using (class_id)
                   left join accuracy r on r.class_id = f.class_id and r.model = ?
                   where a.model = ? and f.scope = ? order by f.class_index""",
                [row["reference_model"], row["model"], scope]).fetchall()
            x = np.array([r[0] for r in rows], dtype=float)
            y = np.array([r[1] for r in rows])
            z = np.array([r[2] for r in rows])
            n, seed = int(row["n_resamples"]), int(row["seed"])
            assert (row["n_classes"], row["n_zero"]) == (1000, int((x == 0).sum()))
            for name, expected in (("spearman_rho", stats.spearmanr(x, y)), ("kendall_tau", stats.kendalltau(x, y)),
                                   ("pearson_log_r", stats.pearsonr(np.log10(1 + x), y))):
                assert row[name] == pytest.approx(expected.statistic, abs=1e-12)
                assert row[name.rsplit("_", 1)[0] + "_p"] == pytest.approx(expected.pvalue, rel=1e-9, abs=1e-300)
            fit = stats.linregress(np.log10(1 + x), y)
            assert (row["slope_per_decade"], row["intercept"]) == pytest.approx((fit.slope, fit.intercept), abs=1e-12)
            (spearman_ci,) = _interval((x, y), _spearman, n, seed)
            pearson_ci, slope_ci = _interval((x, y), _log_statistics, n, seed)
            assert (row["spearman_low"], row["spearman_high"]) == pytest.approx(tuple(spearman_ci), abs=1e-9)
            assert (row["pearson_log_low"], row["pearson_log_high"]) == pytest.approx(tuple(pearson_ci), abs=1e-9)
            assert (row["slope_low"], row["slope_high"]) == pytest.approx(tuple(slope_ci), abs=1e-9)
            if scope == "combined":
                (kendall_ci,) = _interval((x, y), lambda a, b: stats.kendalltau(a, b).statistic, n, seed, vectorized=False)
                assert (row["kendall_low"], row["kendall_high"]) == pytest.approx(tuple(kendall_ci), abs=1e-9)
            if row["model"] == row["reference_model"]:
                assert np.isnan(row["partial_spearman"])
                continue
            pairs = [stats.spearmanr(a, b).statistic for a, b in ((x, y), (x, z), (y, z))]
            expected = (pairs[0] - pairs[1] * pairs[2]) / np.sqrt((1 - pairs[1] ** 2) * (1 - pairs[2] ** 2))
            assert row["partial_spearman"] == pytest.approx(expected, abs=1e-12)
            t = expected * np.sqrt((1000 - 3) / (1 - expected**2))
            assert row["partial_spearman_p"] == pytest.approx(2 * stats.t.sf(abs(t), 1000 - 3), rel=1e-9, abs=1e-300)
            (partial_ci,) = _interval((x, y, z), _partial_spearman, n, seed)
            assert (row["partial_spearman_low"], row["partial_spearman_high"]) == pytest.approx(tuple(partial_ci), abs=1e-9)


def test_binned_accuracy_equals_scipy_on_the_tables(demo):
    run, _ = demo
    with duckdb.connect(str(run.database), read_only=True) as connection:
        binned = connection.execute(
            "select * from binned_accuracy where scope = 'combined' order by model, scheme, bin_index").fetchdf()
        assert binned["model"].nunique() == N_MODELS
        assert set(binned["scheme"]) == {"paper", "decade"}
        frequency = dict(connection.execute(
            "select class_id, n_docs from class_frequency_by_scope where scope = 'combined'").fetchall())
        accuracy = connection.execute("select a.model, a.class_id, a.accuracy from accuracy a join classes c "
                                      "using (class_id) order by a.model, c.class_index").fetchall()
        bins = connection.execute("select scheme, bin_index, lower, upper from frequency_bins").fetchall()
        seed = connection.execute("select distinct seed from correlations").fetchone()[0]
    by_model = {}
    for model, class_id, value in accuracy:
        by_model.setdefault(model, []).append((frequency[class_id], value))
    edges = {(scheme, index): (lower, upper) for scheme, index, lower, upper in bins}
    # every class lands in exactly one bin of each scheme
    assert binned.groupby(["model", "scheme"])["n_classes"].sum().eq(1000).all()
    for row in binned.to_dict("records"):
        lower, upper = edges[(row["scheme"], row["bin_index"])]
        unbounded = upper is None or np.isnan(upper)
        values = np.array([value for count, value in by_model[row["model"]]
                           if count >= lower and (unbounded or count < upper)])
        assert row["n_classes"] == len(values) and row["mean_accuracy"] == pytest.approx(values.mean(), abs=1e-12)
        if len(values) > 1:
            result = stats.bootstrap((values,), np.mean, n_resamples=1000, method="percentile",
                                     rng=np.random.default_rng(seed))
            assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(result.confidence_interval), abs=1e-12)


def test_the_report_shows_all_models_and_is_deterministic(demo):
    run, work = demo
    page = (work / "work" / "demo" / "report.html").read_text()
    with duckdb.connect(str(run.database), read_only=True) as connection:
        models = [row[0] for row in connection.execute("select distinct model from accuracy order by model").fetchall()]
    assert len(models) == N_MODELS
    for model in models:
        # a dropdown entry in the scatter, a trace in each binned chart, and rows in the correlation table
        assert page.count(f'"label":"{model}"') == 1, model
        assert page.count(f'"name":"{model}"') >= 3, model
        assert page.count(f"<td>{model}</td>") >= len(SCOPES), model  # the reference also appears in provenance
    assert page.count("plotly.js v") == 1 and "<script src" not in page  # inlined once, nothing fetched
    first = page.encode()
    run_pipeline(run, ["report"], force=True)
    assert (work / "work" / "demo" / "report.html").read_bytes() == first


@requires_chromium
def test_the_demo_report_in_a_browser(demo, tmp_path):
    _, work = demo
    with Browser() as browser:
        browser.open(work / "work" / "demo" / "report.html")
        assert browser.errors() == []
        charts = browser.evaluate("Array.from(document.querySelectorAll('.js-plotly-plot')).map(d => d.id)")
        # the demo's 1,000 classes leave the paper's bins mostly empty: decades first, the paper's bins folded away
        assert charts == ["spearman-by-model", "frequency-accuracy", "binned-decade", "binned-paper", "sensitivity-chart"]
        browser.evaluate("document.querySelectorAll('details').forEach(function (d) { d.open = true; })")
        for chart in charts:
            assert browser.evaluate(f"document.getElementById('{chart}').querySelectorAll('.main-svg').length") >= 1
            drawn = browser.screenshot(browser.element_box(f"#{chart}"))
            assert browser.ink(drawn) > 0.01, f"{chart} looks blank"
        (tmp_path / "report-top.png").write_bytes(browser.screenshot())
        rows = "document.querySelectorAll('#class-table tbody tr:not([hidden])').length"
        assert browser.evaluate(rows) == 1000
        browser.evaluate("""(() => { const box = document.querySelector('input[data-table="class-table"]');
            box.value = 'shark'; box.dispatchEvent(new Event('input')); })()""")
        shown = browser.evaluate("Array.from(document.querySelectorAll('#class-table tbody tr:not([hidden])'))"
                                 ".map(r => r.cells[1].textContent)")
        assert "great white shark" in shown and "tiger shark" in shown and len(shown) < 20
        assert all("shark" in text for text in browser.evaluate(
            "Array.from(document.querySelectorAll('#class-table tbody tr:not([hidden])')).map(r => r.textContent.toLowerCase())"))
        assert browser.errors() == []


def test_rerunning_the_demo_does_no_work(demo):
    run, _ = demo
    assert all(result.skipped for result in run_pipeline(run))


def test_demo_report_has_the_sensitivity_table(demo):
    run, work = demo
    with duckdb.connect(str(run.database), read_only=True) as connection:
        per_variant = dict(connection.execute(
            "select variant, count(distinct model) from sensitivity group by variant").fetchall())
        points = dict(connection.execute(
            "select variant, any_value(n_points) from sensitivity group by variant").fetchall())
    assert set(per_variant.values()) == {21}
    assert {"published", "fix: sentence edges", "fix: duplicate names", "all fixes", "classfreq"} <= set(per_variant)
    # published: the two duplicated ImageNet names are one point each; fixed and classfreq: every class
    assert (points["published"], points["fix: duplicate names"], points["classfreq"]) == (998, 1000, 1000)
    page = (work / "work" / "demo" / "report.html").read_text()
    assert 'id="sensitivity-summary"' in page and 'id="sensitivity-chart"' in page


def test_the_default_policy_reaches_the_precision_and_recall_targets_on_the_dev_set(demo):
    run, work = demo
    with duckdb.connect(str(run.database), read_only=True) as connection:
        precision, recall, n = connection.execute(
            "select precision, recall, n_occurrences from policy_evaluation where policy = ?", [run.options.policy]).fetchone()
    assert n >= 300
    assert precision >= 0.9 and recall >= 0.9
    assert "Precision and recall of each policy" in (work / "work" / "demo" / "report.html").read_text()


def query_connection(run):
    """The demo database as `make sql` sees it: locked, with the `documents` view."""
    return connect_for_queries(run.database, document_shards(run.work_dir))


def test_the_tables_page_matches_the_demo_database_schema(demo):
    run, _ = demo
    documented = parse_tables_page(TABLES_PAGE.read_text(encoding="utf-8"))
    with query_connection(run) as connection:
        problems = schema_differences(documented, database_schema(connection))
    assert not problems, "docs/tables.md does not match the demo database:\n" + "\n".join(problems)


def test_every_query_table_and_column_the_readme_names_is_in_the_demo_database(demo):
    run, _ = demo
    with query_connection(run) as connection:
        problems = readme_problems(README.read_text(encoding="utf-8"), connection)
    assert not problems, "the README does not match the demo database:\n" + "\n".join(problems)


@pytest.mark.parametrize("query", sorted(path.name for path in (SQL_DIR / "queries").glob("*.sql")))
def test_every_shipped_query_runs_through_make_sql_on_the_demo(demo, query):
    run, work = demo
    done = classfreq("sql", "--run", "demo", "--file", str(SQL_DIR / "queries" / query), "--limit", "0",
                     cwd=work, work=work / "work", DEMO_DATA=str(SHARED_DATA))
    assert done.returncode == 0, done.stderr
    assert re.search(r"^[1-9][\d,]* rows?$", done.stdout, re.MULTILINE), done.stdout[-500:]


def test_every_labelled_reference_is_a_text_unit_of_the_demo(demo):
    run, _ = demo
    files = {file: source for source, file in source_files(run, SHARED_DATA).items()}
    units = (pl.scan_parquet(f"{read_manifest(run.work_dir, 'ingest')['outputs']['documents']}/*.parquet")
             .select("doc_id", "source", "record", "turn").collect())
    for name in ("occurrences.csv", "recall.csv", "per_class.csv"):
        references = pl.read_csv(LABELS_DIR / name, schema_overrides={"record": pl.Int64, "turn": pl.Int32})
        located = references.with_columns(source=pl.col("source_file").replace_strict(files)).join(
            units, on=["source", "record", "turn"], how="left")
        assert located["doc_id"].null_count() == 0, f"{name}: references to no text unit of the demo"


def test_the_held_out_keep_figures_equal_a_count_of_the_labels_against_the_mentions(demo):
    run, _ = demo
    files = {file: source for source, file in source_files(run, SHARED_DATA).items()}
    labels = occurrence_labels().with_columns(
        doc_id=pl.concat_str(pl.col("source_file").replace_strict(files), pl.lit(":"), pl.col("record").cast(pl.String),
                             pl.lit(":"), pl.col("turn").cast(pl.String)))
    with duckdb.connect(str(run.database), read_only=True) as connection:
        counted = pl.from_arrow(connection.sql("select distinct doc_id, class_id from mentions").arrow())
        table = pl.from_arrow(connection.sql("select * from label_evaluation where policy = 'keep'").arrow())
    judged = labels.join(counted.with_columns(counted=pl.lit(True)), on=["doc_id", "class_id"], how="left").with_columns(
        pl.col("counted").fill_null(False))
    for (half, sample), group in judged.group_by("half", "sample"):
        row = table.filter((pl.col("half") == half) & (pl.col("sample") == sample)).row(0, named=True)
        true_counted = (group["counted"] & (group["label"] == 1)).sum()
        assert row["n_occurrences"] == group.height
        assert row["precision"] == pytest.approx(true_counted / group["counted"].sum())
        assert row["recall"] == pytest.approx(true_counted / (group["label"] == 1).sum())


def test_the_per_class_estimates_equal_matches_times_the_judged_share(demo):
    run, _ = demo
    files = {file: source for source, file in source_files(run, SHARED_DATA).items()}
    labels = per_class_labels().with_columns(source=pl.col("source_file").replace_strict(files))
    shares = labels.group_by("class_id").agg(share=pl.col("label").mean())
    with duckdb.connect(str(run.database), read_only=True) as connection:
        check = pl.from_arrow(connection.sql("select * from per_class_check where policy = 'keep'").arrow())
        matched = pl.from_arrow(connection.sql(
            "select class_id, count(distinct doc_id) as matched from mentions group by class_id").arrow())
    joined = check.join(shares, on="class_id").join(matched, on="class_id")
    assert joined.height == 50
    assert (joined["matches"] == joined["matched"]).all()
    assert joined["estimate"].to_list() == pytest.approx((joined["matched"] * joined["share"]).to_list())
    assert (joined["estimate_low"] <= joined["estimate"]).all() and (joined["estimate"] <= joined["estimate_high"]).all()


#: Classes captions name in the class sense (one visible thing under several WordNet senses, or a flagged term the
#: sense model keeps): issue 18 asks each within 20% of keep under the default policy.
KEPT_CLASSES = {"broccoli": "n07714990", "sunglasses": "n04356056", "jersey": "n03595614", "mushroom": "n07734744",
                "bridegroom": "n10148035", "hot dog": "n07697537", "black bear": "n02133161"}


def test_the_default_sense_policy_keeps_the_classes_captions_mean(demo):
    run, _ = demo
    assert run.options.policy == "sense"
    with duckdb.connect(str(run.database), read_only=True) as connection:
        for name, class_id in KEPT_CLASSES.items():
            keep, sense, expected = connection.execute(
                """select max(n_docs) filter (where policy = 'keep'), max(n_docs) filter (where policy = 'sense'),
                          max(n_docs_expected) filter (where policy = 'sense')
                   from class_frequency_by_policy where scope = 'combined' and class_id = ?""", [class_id]).fetchone()
            assert keep >= 20 and sense >= 0.8 * keep and abs(expected - sense) <= 0.2 * keep, (name, keep, sense, expected)


@pytest.mark.parametrize("term", ["fly", "pick", "shade", "site"])
def test_the_default_sense_policy_cuts_terms_captions_use_in_another_sense(demo, term):
    run, _ = demo
    with duckdb.connect(str(run.database), read_only=True) as connection:
        n, counted = connection.execute("select count(*), sum(weight_sense) from mentions where term = ?", [term]).fetchone()
        # "stole" is no longer "steal" (nouns are read as nouns): no mention of a term "steal" is left to count
        assert connection.execute("select count(*) from mentions where term = 'steal'").fetchone()[0] == 0
    assert n >= 50 and counted <= 0.2 * n, (term, n, counted)


def test_orange_is_cut_well_below_keep_with_its_fruit_uses_kept_and_no_cricket_match_is_an_insect(demo):
    run, _ = demo
    labels = locate_text_units(occurrence_labels().filter(pl.col("half") == "tuning", pl.col("term") == "orange"), run)
    with duckdb.connect(str(run.database), read_only=True) as connection:
        keep, sense = connection.execute(
            """select max(n_docs) filter (where policy = 'keep'), max(n_docs) filter (where policy = 'sense')
               from class_frequency_by_policy where scope = 'combined' and class_id = 'n07747607'""").fetchone()
        assert sense <= 0.4 * keep
        weights = dict(connection.execute(
            "select doc_id, max(weight_sense) from mentions where class_id = 'n07747607' group by doc_id").fetchall())
        matches = connection.execute(
            """select count(*), coalesce(sum(mentions.weight_sense), 0) from mentions
               join read_parquet(?, union_by_name = true) as shards using (doc_id, start)
               where mentions.term = 'cricket' and (list_contains(shards.features, 'R:player')
                     or list_contains(shards.features, 'R:match'))""",
            [[str(path) for path in sorted(run.work_dir.glob("match-*/*.parquet"))]]).fetchone()
    fruit = labels.filter(pl.col("label") == 1)["doc_id"].to_list()
    assert fruit and all(weights.get(doc) == 1.0 for doc in fruit)  # the tuning half's fruit uses all count
    assert matches[0] >= 20 and matches[1] == 0  # "cricket player", "cricket match": the game, never the insect
