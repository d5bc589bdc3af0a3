"""The eval harness: metrics, the gate, its outputs, baselines, and the seam that proves the gate bites."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from agent.cli import main
from agent.evals import metrics as M
from agent.evals.runner import main as eval_main
from agent.models import Scorecard, Transcript
from agent.offline.scorer import score


def test_quadratic_kappa_and_spearman():
    assert M.quadratic_kappa([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    assert M.quadratic_kappa([5, 4, 3, 2, 1], [1, 2, 3, 4, 5]) < 0
    near = M.quadratic_kappa([2, 2, 3, 4, 4], [1, 2, 3, 4, 5])
    far = M.quadratic_kappa([5, 1, 5, 1, 3], [1, 2, 3, 4, 5])
    assert near > far
    assert M.spearman([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert M.spearman([1, 1, 1], [1, 2, 3]) == 0.0


def test_confusion_and_precision_recall():
    table = M.confusion(["asked", "premature", "asked"], ["asked", "asked", "not_asked"],
                        ["asked", "not_asked", "premature"])
    assert table == [[1, 0, 1], [1, 0, 0], [0, 0, 0]]
    assert M.precision_recall_f1(0, 0, 0) == (1.0, 1.0, 1.0)
    p, r, f = M.precision_recall_f1(3, 1, 2)
    assert (p, r) == (0.75, 0.6) and f == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_offline_eval_passes_and_writes_junit_and_report(tmp_path, capsys):
    junit, report = tmp_path / "out.xml", tmp_path / "out.md"
    code = main(["eval", "--engine", "offline", "--junit-xml", str(junit), "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 0, out
    root = ET.parse(junit).getroot()
    assert root.get("failures") == "0" and int(root.get("tests")) >= 30
    suites = {s.get("name") for s in root.iter("testsuite")}
    assert suites == {"judge_agreement", "evidence", "injection", "bias", "conformance", "listening"}
    text = report.read_text()
    for heading in ("QW kappa", "Spearman", "MAE", "label \\ engine", "precision", "recall", "humble_curious"):
        assert heading in text
    assert json.loads((tmp_path / "out.json").read_text())["metrics"]["evidence.verbatim_share"] == 1.0


class HarsherHumility:
    """A seam: the offline scorer with humility pushed down two points."""

    name = "offline"

    def score(self, transcript: Transcript) -> Scorecard:
        card = score(transcript)
        card.criteria.humility.score = max(1, card.criteria.humility.score - 2)
        return card


def test_lowering_a_criterion_fails_the_gate_and_names_the_metric(capsys):
    code = eval_main(["judge_agreement"], engine="offline", scorer=HarsherHumility())
    err = capsys.readouterr().err
    assert code == 1
    assert "judge_agreement.humility_exact" in err and "below its threshold" in err


def test_baseline_shows_per_metric_deltas(tmp_path, capsys):
    first = tmp_path / "first.json"
    assert eval_main(["judge_agreement"], engine="offline", results=str(first)) == 0
    report = tmp_path / "second.md"
    eval_main(["judge_agreement"], engine="offline", scorer=HarsherHumility(), baseline=str(first),
              report=str(report))
    out = capsys.readouterr().out
    assert "vs baseline" in out
    row = next(line for line in report.read_text().splitlines() if line.startswith("| humility_exact "))
    delta = float(row.split("|")[5])
    assert delta < 0


def test_unknown_suite_and_bad_baseline_are_bad_input(tmp_path, capsys):
    assert main(["eval", "astrology"]) == 2
    assert "unknown suite" in capsys.readouterr().err
    bad = tmp_path / "b.json"
    bad.write_text("[]")
    assert main(["eval", "judge_agreement", "--baseline", str(bad)]) == 2
    assert "not a results file" in capsys.readouterr().err


def test_concurrent_scoring_keeps_input_order():
    from agent.evals.suites import EvalContext, score_many
    from tests.conftest import dataset_rows

    rows = [Transcript.model_validate(r) for r in dataset_rows("core")[:12]]
    ctx = EvalContext(engine="offline", scorer=type("S", (), {"score": staticmethod(score)})(),
                      interviewer_factory=lambda: None, datasets=[], concurrency=6)  # type: ignore[arg-type]
    cards = score_many(ctx, "t", rows)
    assert [c.to_json_dict() for c in cards] == [score(r).to_json_dict() for r in rows]


def test_the_progress_bar_is_drawn_by_rich_on_a_terminal_and_silent_otherwise():
    import io

    from agent.evals.runner import ProgressBar

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = ProgressBar(stream)
        for done in range(4):
            bar("injection", done, 3)
    assert "injection" in tty.getvalue() and "3/3" in tty.getvalue()
    assert pipe.getvalue() == ""
