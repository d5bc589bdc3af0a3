"""The one loader for everything under `prompts/`.

Prompts are files so that a prompt change is a diff and an eval run shows its effect. Two kinds:
YAML data (personas, the question plan) and text templates (`*.md`, for the LLM engine) with a
YAML front matter that carries at least a `version`. Rendering fails loudly on a missing variable.
"""

from __future__ import annotations

import os
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROMPTS_ENV = "MOCK_INTERVIEW_PROMPTS"


class PromptError(Exception):
    """A prompt file is missing, malformed, or rendered without a variable it needs."""


def prompts_dir() -> Path:
    override = os.environ.get(PROMPTS_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "prompts"


def fill(template: str, variables: dict[str, Any], *, source: str = "prompt") -> str:
    """`str.format` that names the missing variable instead of raising a bare KeyError."""
    needed = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    missing = sorted(needed - variables.keys())
    if missing:
        raise PromptError(f"{source}: missing variable(s) {', '.join(missing)}")
    return template.format_map(variables)


@cache
def load_data(name: str) -> dict[str, Any]:
    """A YAML data file, e.g. `plan` or `personas/ceo`."""
    path = prompts_dir() / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PromptError(f"{path}: prompt file not found") from None
    except yaml.YAMLError as exc:
        raise PromptError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict) or "version" not in data:
        raise PromptError(f"{path}: expected a mapping with a 'version'")
    return data


@dataclass(frozen=True)
class Template:
    """A text prompt with its version, so runs and eval reports can record which one they used."""

    name: str
    version: str
    meta: dict[str, Any]
    body: str

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **variables: Any) -> str:
        return fill(self.body, variables, source=f"prompt {self.name}")


@cache
def load_template(name: str) -> Template:
    """A Markdown template, e.g. `interviewer/system` or `rubrics/humility`."""
    path = prompts_dir() / f"{name}.md"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"{path}: prompt file not found") from None
    meta: dict[str, Any] = {}
    if text.startswith("---\n"):
        head, sep, body = text[4:].partition("\n---\n")
        if not sep:
            raise PromptError(f"{path}: front matter is not closed with '---'")
        meta = yaml.safe_load(head) or {}
        text = body
    if "version" not in meta:
        raise PromptError(f"{path}: front matter needs a 'version'")
    return Template(name=name, version=str(meta["version"]), meta=meta, body=text.strip("\n") + "\n")
