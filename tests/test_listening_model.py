"""The learned part of the listener as an artefact: pinned files, a frozen test split, heads that match the
corpus they were trained on, deterministic training, and no torch anywhere at run time."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from agent.listening import corpus as corpus_mod
from agent.listening import model


def test_the_test_split_is_byte_for_byte_the_frozen_one():
    assert corpus_mod.check_frozen() == []


def test_a_changed_test_file_is_noticed(tmp_path, monkeypatch):
    copy = tmp_path / "test"
    shutil.copytree(corpus_mod.TEST_DIR, copy)
    first = sorted(copy.glob("*.jsonl"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    monkeypatch.setattr(corpus_mod, "TEST_DIR", copy)
    assert [p for p in corpus_mod.check_frozen() if "changed" in p]


def test_the_shipped_heads_were_trained_on_the_corpus_as_it_is():
    manifest = json.loads(model.MANIFEST_FILE.read_text(encoding="utf-8"))
    assert manifest["corpus"] == corpus_mod.file_hashes(corpus_mod.TRAIN_DIR), "run `make train`"
    assert manifest["sha256"] == model.sha256(model.HEADS_FILE)


def test_a_tampered_encoder_file_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "encoder"
    shutil.copytree(model.ENCODER_DIR, copy)
    (copy / "tokenizer.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(model, "ENCODER_DIR", copy)
    model.encoder.cache_clear()
    try:
        with pytest.raises(model.ModelFileError, match="sha256"):
            model.encoder()
    finally:
        model.encoder.cache_clear()


def test_reading_needs_no_torch_and_no_network():
    code = (
        "import sys\n"
        "from agent.offline.scorer import score\n"
        "from agent.models import Transcript\n"
        "score(Transcript.model_validate({'persona': 'ceo', 'turns': [{'speaker': 'interviewer', 'text': 'Hi?'},"
        " {'speaker': 'candidate', 'text': 'You should shut the depot.'}]}))\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1"}, cwd=Path(__file__).parent.parent)
    assert out.stdout.strip() == "[]"


def test_training_is_deterministic(tmp_path, monkeypatch):
    """Two runs over the same (small) corpus give identical heads."""
    from agent.listening import train

    small = tmp_path / "train"
    small.mkdir()
    for author in ("ta", "tb"):
        lines = (corpus_mod.TRAIN_DIR / f"{author}-01.jsonl").read_text(encoding="utf-8").splitlines()[:25]
        (small / f"{author}-01.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(corpus_mod, "TRAIN_DIR", small)
    monkeypatch.setattr(train, "plan_questions", lambda: [])
    first, _ = train.train(log=lambda _: None)
    second, _ = train.train(log=lambda _: None)
    for name in first:
        assert np.array_equal(first[name].dense, second[name].dense)
        assert np.array_equal(first[name].ngrams, second[name].ngrams)
