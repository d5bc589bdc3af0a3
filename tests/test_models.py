"""The pydantic models and the project's JSON schemas describe the same data."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from agent.models import DEAL_BREAKER_KINDS, OUTCOMES, PERSONAS, TOPICS, Scorecard, Transcript
from agent.offline.scorer import score
from tests.conftest import ROOT, SAMPLE, dataset_rows, load_schema


def test_project_keeps_its_own_copy_of_the_shared_schemas():
    shared = ROOT.parent / "shared" / "spec"
    if not shared.is_dir():
        pytest.skip("shared/ is not beside this checkout")
    for name in ("transcript", "scorecard"):
        assert load_schema(name) == json.loads((shared / f"{name}.schema.json").read_text())


def test_enums_match_schema():
    card = load_schema("scorecard")
    assert set(card["properties"]["deal_breakers"]["items"]["properties"]["kind"]["enum"]) == set(DEAL_BREAKER_KINDS)
    assert set(card["properties"]["risk_topics"]["items"]["properties"]["topic"]["enum"]) == set(TOPICS)
    outcome = card["properties"]["criteria"]["properties"]["asked_for_job"]["allOf"][1]["properties"]["outcome"]
    assert set(outcome["enum"]) == set(OUTCOMES)
    assert set(load_schema("transcript")["properties"]["persona"]["enum"]) == set(PERSONAS)


def _mutations() -> list[tuple[str, dict]]:
    cases = []
    t = copy.deepcopy(SAMPLE)
    del t["persona"]
    cases.append(("no persona", t))
    t = copy.deepcopy(SAMPLE)
    t["persona"] = "recruiter"
    cases.append(("bad persona", t))
    t = copy.deepcopy(SAMPLE)
    t["turns"] = []
    cases.append(("no turns", t))
    t = copy.deepcopy(SAMPLE)
    t["turns"][0]["speaker"] = "coach"
    cases.append(("bad speaker", t))
    t = copy.deepcopy(SAMPLE)
    del t["turns"][1]["text"]
    cases.append(("turn without text", t))
    t = copy.deepcopy(SAMPLE)
    t["turns"][1]["text"] = 5
    cases.append(("text not a string", t))
    t = copy.deepcopy(SAMPLE)
    t["context"] = "Acme"
    cases.append(("context not an object", t))
    return cases


@pytest.mark.parametrize(("name", "doc"), _mutations(), ids=[n for n, _ in _mutations()])
def test_model_and_schema_reject_the_same_broken_transcripts(name, doc, transcript_schema):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, transcript_schema)
    with pytest.raises(ValidationError):
        Transcript.model_validate(doc)


def test_every_dataset_transcript_is_valid_for_both(transcript_schema):
    rows = dataset_rows("core") + dataset_rows("holdout")
    assert len(rows) >= 40
    for row in rows:
        jsonschema.validate(row, transcript_schema)
        Transcript.model_validate(row)


def test_extra_fields_survive_a_round_trip():
    doc = copy.deepcopy(SAMPLE) | {"id": "x-1", "labels": {"humility": 4}}
    doc["turns"][0]["topic"] = "team_fit"
    again = Transcript.model_validate(doc).model_dump(mode="json", exclude_none=True)
    assert again["id"] == "x-1" and again["labels"] == {"humility": 4}
    assert again["turns"][0]["topic"] == "team_fit"


def test_scorecards_validate_against_the_schema_and_parse_back(scorecard_schema):
    for row in dataset_rows("core")[:15]:
        card = score(Transcript.model_validate(row)).to_json_dict()
        jsonschema.validate(card, scorecard_schema)
        assert Scorecard.model_validate(card).to_json_dict() == card


@pytest.mark.parametrize(
    ("path", "value"),
    [(("criteria", "humility", "score"), 6), (("criteria", "asked_for_job", "outcome"), "maybe")],
)
def test_model_and_schema_reject_the_same_broken_scorecards(path, value, scorecard_schema):
    card = score(Transcript.model_validate(SAMPLE)).to_json_dict()
    node = card
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(card, scorecard_schema)
    with pytest.raises(ValidationError):
        Scorecard.model_validate(card)


def test_schema_files_ship_inside_the_package():
    assert (Path(__import__("agent").__file__).parent / "schemas" / "scorecard.schema.json").is_file()
