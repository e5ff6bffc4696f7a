"""Every quirk of the published counting on one tiny LLaVA-format fixture, counts worked out by hand.

The same fixture under the `vlmclassifier` method gives the published counts, and under the default
`classfreq` method the corrected ones; the sensitivity table holds the correlations of both.
"""

import duckdb
import numpy as np
import pytest
from scipy import stats

from pipeline.core.config import parse_run
from pipeline.core.sql import sql_frame
from pipeline.report.sensitivity import sensitivity_section
from pipeline.runner import run_pipeline
from pipeline.stats.frequency import published_parameters

from ..conftest import project_directory, write_json

pytestmark = pytest.mark.slow  # whole pipelines or process pools: see docs/README.md

TENCH, GOLDFISH, GREAT_WHITE, POTTERS_WHEEL = "n01440764", "n01443537", "n01484850", "n03992509"
MISSILE, PROJECTILE, MOUSETRAP = "n03773504", "n04008634", "n03794056"  # the last two display as "missile"
PROMPT = {"from": "human", "value": "<image>\nDescribe the image concisely."}


def caption(number, text):
    return {"id": str(number), "image": f"{number}.jpg", "conversations": [PROMPT, {"from": "gpt", "value": text}]}


PRETRAIN = [
    caption(1, "A tench swimming in a pond."),         # tench inside the sentence: counts
    caption(2, "Tench in a net"),                       # first token: never counts as published
    caption(3, "A tench. Another tench here, and a tench again."),  # two sentences: 2, the repeat adds nothing
    caption(4, "An old potter's wheel in a workshop."),  # counted as "potter 's wheel", joined as "potter's wheel"
    caption(5, "A missile on a launch pad."),           # "missile" is listed twice: 2 per sentence
    caption(6, "Two great white sharks near a dock."),  # plural: only with lemmas
    caption(7, "A white shark attacks."),               # a WordNet synonym: only the default method
]
INSTRUCT = [
    {"id": "q1", "image": "q1.jpg", "conversations": [
        {"from": "human", "value": "<image>\nIs this a tench or a carp?"},  # a human turn, counted by default
        {"from": "gpt", "value": "There is a goldfish in the bowl."}]},     # goldfish: instruction data only
]
ACCURACY = {TENCH: 0.9, GOLDFISH: 0.5, POTTERS_WHEEL: 0.3, MISSILE: 0.8, PROJECTILE: 0.4, GREAT_WHITE: 0.6,
            MOUSETRAP: 0.1}

# Published combined frequency = pretrain + instruct for names seen in pretraining, looked up by display name.
# tench: pretrain 1 + 0 + 2, instruct 1 (the human turn); goldfish: pretrain 0, so 0 although instruct has 1;
# potter's wheel: counted under "potter 's wheel", looked up as "potter's wheel": 0; missile: 1 sentence × 2.
PUBLISHED = {TENCH: 4, GOLDFISH: 0, POTTERS_WHEEL: 0, MISSILE: 2, PROJECTILE: 2, GREAT_WHITE: 0, MOUSETRAP: 0}
# classfreq: text units mentioning any term, lemmas and WordNet synonyms included, every class on its own.
CORRECTED = {TENCH: 4, GOLDFISH: 1, POTTERS_WHEEL: 1, MISSILE: 1, PROJECTILE: 1, GREAT_WHITE: 2, MOUSETRAP: 0}


def fixture_run(workspace, options):
    pretrain = write_json(workspace / "blip_laion_cc_sbu_558k.json", PRETRAIN)
    instruct = write_json(workspace / "llava_v1_5_mix665k.json", INSTRUCT)
    accuracy = workspace / "accuracy.csv"
    accuracy.write_text("class,accuracy,n\n" + "".join(f"{wnid},{value},50\n" for wnid, value in ACCURACY.items()))
    return parse_run({
        "name": "quirks",
        "class_set": "imagenet1k",
        "options": {"workers": 1, "policy": "keep", "vlmclassifier": {"sentence_splitter": "punkt_builtin"}, **options},
        "sources": [
            {"name": "pretrain", "stage": "pretrain", "format": "llava", "path": str(pretrain)},
            {"name": "instruct", "stage": "instruct", "format": "llava", "path": str(instruct)},
        ],
        "accuracy": [{"path": str(accuracy), "model": "toy"}],
    })


@pytest.fixture(scope="module")
def published_run(tmp_path_factory):
    """One pipeline run shared by the module's read-only tests (the policy test adds a table last)."""
    work = tmp_path_factory.mktemp("quirks")
    with project_directory(work):
        run = fixture_run(work, {"method": "vlmclassifier"})
        run_pipeline(run)
        yield run


def frequencies(connection, table_sql):
    return dict(connection.execute(table_sql).fetchall())


def test_published_method_reproduces_every_quirk(published_run):
    with duckdb.connect(str(published_run.database), read_only=True) as connection:
        missile_counts = connection.execute(
            "select class_id, n_sentences from published_name_counts join published_names using (name_key) "
            "where not edges and not lemmas and stage = 'pretrain' and class_id = ?", [MISSILE]).fetchall()
        correlation = connection.execute(
            "select n_classes, spearman_rho from correlations where model = 'toy' and scope = 'combined'").fetchone()
        published_row = connection.execute(
            "select n_points, spearman_rho, pearson_r from sensitivity where model = 'toy' and variant = 'published'"
        ).fetchone()
    assert missile_counts == [(MISSILE, 1)]  # counted once per name; the listing doubles it at the join
    # the published points: 6 (the two "missile" classes are one point, their accuracy pooled: (0.8 + 0.4) / 2)
    xs = [PUBLISHED[TENCH], PUBLISHED[GOLDFISH], PUBLISHED[POTTERS_WHEEL], PUBLISHED[MISSILE], PUBLISHED[GREAT_WHITE],
          PUBLISHED[MOUSETRAP]]
    ys = [0.9, 0.5, 0.3, 0.6, 0.6, 0.1]
    assert correlation == (6, pytest.approx(stats.spearmanr(xs, ys).statistic))
    assert published_row == (6, pytest.approx(stats.spearmanr(xs, ys).statistic),
                             pytest.approx(stats.pearsonr(xs, ys).statistic))


def test_published_frequencies_per_class(published_run):
    with duckdb.connect(str(published_run.database), read_only=True) as connection:
        points = sql_frame(connection, "published_points", published_parameters(published_run, fix_duplicates=True))
    combined = dict(points.filter(scope="combined").select("class_id", "n_sentences").iter_rows())
    assert combined == PUBLISHED | {MISSILE: 1, PROJECTILE: 1}  # duplicates fixed: once per sentence
    pretrain = dict(points.filter(scope="pretrain").select("class_id", "n_sentences").iter_rows())
    instruct = dict(points.filter(scope="instruct").select("class_id", "n_sentences").iter_rows())
    assert (pretrain[TENCH], instruct[TENCH], pretrain[GOLDFISH], instruct[GOLDFISH]) == (3, 1, 0, 1)


@pytest.mark.parametrize("fix, changed", [
    ("fix_sentence_edges", {TENCH: 5, GOLDFISH: 0}),          # "Tench in a net" now counts
    ("fix_instruct_only", {GOLDFISH: 1}),
    ("fix_name_key", {POTTERS_WHEEL: 1}),
    ("fix_duplicates", {MISSILE: 1, PROJECTILE: 1}),
    ("fix_lemmas", {GREAT_WHITE: 1}),                         # "sharks" → "shark"; the synonym still not
])
def test_each_fix_changes_only_its_own_classes(published_run, fix, changed):
    with duckdb.connect(str(published_run.database), read_only=True) as connection:
        points = sql_frame(connection, "published_points", published_parameters(published_run, **{fix: True}))
    combined = points.filter(scope="combined")
    frequency = dict(combined.select("class_id", "n_sentences").iter_rows())
    if fix != "fix_duplicates":  # pooled: one point for both "missile" classes
        frequency[PROJECTILE] = frequency[MISSILE]
    assert frequency == PUBLISHED | changed


def test_default_method_gives_the_corrected_counts(workspace):
    run = fixture_run(workspace, {})
    run_pipeline(run)
    with duckdb.connect(str(run.database), read_only=True) as connection:
        combined = frequencies(connection, "select class_id, n_docs from class_frequency_by_scope where scope = 'combined'")
        n_classes = connection.execute(
            "select n_classes from correlations where model = 'toy' and scope = 'combined'").fetchone()[0]
        rows = dict(connection.execute(
            "select variant, spearman_rho from sensitivity where model = 'toy'").fetchall())
    assert {wnid: combined[wnid] for wnid in CORRECTED} == CORRECTED
    assert n_classes == 7
    xs = [CORRECTED[wnid] for wnid in ACCURACY]
    assert rows["classfreq"] == pytest.approx(stats.spearmanr(xs, list(ACCURACY.values())).statistic)
    assert {"published", "fix: sentence edges", "all fixes", "published, human turns excluded"} <= set(rows)


def test_the_report_shows_the_sensitivity_table_escaped(published_run):
    page = (published_run.work_dir.parent.parent / "work" / "quirks" / "report.html").read_text()
    assert 'id="sensitivity-summary"' in page and 'id="sensitivity"' in page
    with duckdb.connect(str(published_run.database), read_only=True) as connection:
        section = sensitivity_section(connection)
    assert section in page
    assert "&quot;potter&#x27;s wheel&quot;" in section and "\"potter's wheel\"" not in section


def test_human_turns_can_be_left_out(workspace):
    run = fixture_run(workspace, {"method": "vlmclassifier", "vlmclassifier": {"human_turns": False,
                                                                               "sentence_splitter": "punkt_builtin"}})
    run_pipeline(run, ["ingest", "synonyms", "published", "accuracy"])
    with duckdb.connect(str(run.database), read_only=True) as connection:
        points = sql_frame(connection, "published_points", published_parameters(run))
    combined = dict(points.filter(scope="combined").select("class_id", "n_sentences").iter_rows())
    assert combined[TENCH] == PUBLISHED[TENCH] - 1
    assert np.isclose(points.filter(class_id=MISSILE, scope="combined")["accuracy"][0], 0.6)


def test_disambiguation_policies_join_the_sensitivity_table_when_count_provides_them(published_run):
    with duckdb.connect(str(published_run.database)) as connection:
        connection.execute("""
            create or replace table class_frequency_by_policy as
            select class_id, scope, policy, case when policy = 'drop' and display_name = 'missile' then 0 else n_docs end as n_docs
            from class_frequency_by_scope cross join (values ('keep'), ('drop')) as policies(policy)""")
    run_pipeline(published_run, ["sensitivity"], force=True)
    with duckdb.connect(str(published_run.database), read_only=True) as connection:
        rows = dict(connection.execute("select variant, spearman_rho from sensitivity where model = 'toy'").fetchall())
    dropped = {**CORRECTED, MISSILE: 0, PROJECTILE: 0}
    expected = stats.spearmanr([dropped[w] for w in ACCURACY], list(ACCURACY.values())).statistic
    assert rows["classfreq, policy drop"] == pytest.approx(expected)
    assert rows["classfreq, policy keep"] == pytest.approx(rows["classfreq"])
