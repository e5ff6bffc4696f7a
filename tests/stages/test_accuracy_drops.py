"""What the accuracy import and the correlation leave out is said on the console and in the report: keys that
did not resolve or named a class twice, each model's scale, and a model without a correlation, with why."""

import html

import pytest

from pipeline.core.config import parse_run
from pipeline.runner import run_pipeline

from ..conftest import write_json
from .test_pipeline_llava import INSTRUCT, PRETRAIN

pytestmark = pytest.mark.slow  # a whole pipeline

UNSEEN = "unseen <b>model</b>"  # dataset text: escaped in the report


def test_unresolved_keys_and_an_all_unseen_model_are_named_on_the_console_and_in_the_report(workspace):
    partial = workspace / "partial.csv"
    partial.write_text("class,accuracy\ngoose,0.9\ngreat white shark,0.8\ntench,0.7\nhen,0.2\n"
                       "HEN,0.3\nunicorn,0.5\ndragon,0.1\n")
    unseen = workspace / "unseen.csv"
    unseen.write_text("class,accuracy\nhen,50\nzebra,60\nostrich,70\nflamingo,20\n")
    run = parse_run({"name": "drops", "class_set": "imagenet1k", "options": {"max_unresolved_share": 0.5},
                     "sources": [{"name": "pretrain", "stage": "pretrain", "format": "llava",
                                  "path": str(write_json(workspace / "pretrain.json", PRETRAIN))},
                                 {"name": "instruct", "stage": "instruct", "format": "llava",
                                  "path": str(write_json(workspace / "instruct.json", INSTRUCT))}],
                     "accuracy": [{"path": str(partial), "model": "partial"}, {"path": str(unseen), "model": UNSEEN}]})
    lines = []
    run_pipeline(run, on_result=lambda result: lines.append(result.summary))
    console = "\n".join(lines)
    expected = [
        f"model 'partial' ({partial}): 2 of its 7 accuracy keys did not resolve to a class and are left out, "
        "e.g. 'dragon' (no match), 'unicorn' (no match); all of them: table accuracy_unresolved",
        f"model 'partial' ({partial}): 1 of its 7 accuracy keys named a class another of its keys had already named "
        "and is left out, e.g. 'HEN' (duplicate of 'hen'); all of them: table accuracy_unresolved",
        f"accuracy read as fractions for 1 model ('partial'), in percent (divided by 100) for 1 model ({UNSEEN!r}); "
        "each model's scale: table accuracy_models",
        f"model {UNSEEN!r} ({unseen}) has no correlation of accuracy with frequency: none of its 4 classes is "
        "mentioned in the text (every frequency is 0)",
    ]
    for warning in expected:
        assert f"  warning: {warning}" in console
    page = (workspace / "work" / "drops" / "report.html").read_text()
    for warning in expected:
        assert f'<p class="warning">{html.escape(warning)}.</p>' in page
    assert UNSEEN not in page and 'id="accuracy-unresolved"' in page
    # one model has a correlation: the lead speaks of it alone
    assert "<p class=\"lead\">For partial, Spearman&#x27;s ρ between" in page and "Across 1 models" not in page
