"""Versioned prompt files (``configs/prompts/*.yaml``): ``version``, optional ``system``, ``user``.

Placeholders are written ``{{name}}`` so that LaTeX braces in a template (``\\boxed{}``) need no escaping.
The version is part of every ledger key and of every row's provenance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class Prompt:
    version: str
    user: str
    system: str = ""

    @classmethod
    def load(cls, path: str | Path) -> Prompt:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        missing = {"version", "user"} - set(data)
        if missing:
            raise ValueError(f"prompt file {path} lacks {sorted(missing)}")
        return cls(version=str(data["version"]), user=data["user"], system=data.get("system", ""))

    def messages(self, **values: str) -> list[dict]:
        def fill(template: str) -> str:
            return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)

        system = [{"role": "system", "content": fill(self.system)}] if self.system else []
        return [*system, {"role": "user", "content": fill(self.user)}]
