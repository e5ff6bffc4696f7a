"""The stage shell's report to the user: a line per stage, and the stage's warnings under it, skipped or not."""

from pipeline.core.stage import StageOutput, run_stage


def test_warnings_follow_the_summary_line_when_the_stage_runs_and_when_it_skips(tmp_path):
    def body(output_dir, digest):
        return StageOutput(warnings=["policy context cuts 3 classes by more than half"])

    ran = run_stage(tmp_path, "count", {"policy": "context"}, body, writes_files=False)
    skipped = run_stage(tmp_path, "count", {"policy": "context"}, body, writes_files=False)
    assert not ran.skipped and skipped.skipped
    for result in (ran, skipped):
        line, warning = result.summary.split("\n")
        assert line.startswith("count: ")
        assert warning == "  warning: policy context cuts 3 classes by more than half"
