"""A person's review of extracted problems: decisions kept durably, folded into each problem's state.

Each decision (accept, reject with a reason, or edit the problem, its options, its answer or its English
translation) is one JSON line appended to ``<data root>/review/<collection>.jsonl`` under an exclusive
file lock, with its time, the reviewer's name and the fields before and after: nothing is rewritten, two
browser tabs saving at once both land, and the history stays readable. On an object store, which has no
appends, each decision is an object of its own under ``<data root>/review/<collection>/``, named by when
it was made (``ObjectReviewLog``): the review page and the pipeline on other machines read the same log. The state of a problem is the fold
of its decisions in order: edits merge (a later edit of a field wins), a rejection rejects, an acceptance
accepts what the problem is now (edited or not).
"""

from __future__ import annotations

import fcntl
import json
import time
import uuid
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path

import fsspec

from distill.answers.normalize import answer_parses, normalize_answer
from distill.core.storage import TableStore


class Decision(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    EDIT = "edit"


class ReviewStatus(StrEnum):
    """What a review made of a problem (the ``review`` provenance of its rows; "" when not reviewed)."""

    ACCEPTED = "accepted"
    CORRECTED = "corrected"
    REJECTED = "rejected"


EDITABLE = ("problem", "options", "answer", "translation")  # translation: the English problem text


@dataclass(frozen=True)
class ReviewEntry:
    problem_id: str
    decision: Decision
    reviewer: str
    at: float  # seconds since the epoch
    after: dict = field(default_factory=dict)  # edited fields: name -> new value (options: a list)
    before: dict = field(default_factory=dict)  # the same fields as the reviewer saw them
    reason: str = ""  # why a problem was rejected

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


@dataclass
class ProblemReview:
    """The state of one reviewed problem."""

    status: ReviewStatus
    edits: dict = field(default_factory=dict)
    reason: str = ""
    reviewer: str = ""
    at: float = 0.0
    decisions: int = 0


class InvalidEdit(ValueError):
    """An edit the form must refuse, with the reason a person can act on."""


def check_edit(after: dict) -> dict:
    """The edit, cleaned (options one a line -> a list), or InvalidEdit: unknown fields, an empty problem,
    or an answer that math-verify cannot parse once normalized."""
    unknown = sorted(set(after) - set(EDITABLE))
    if unknown:
        raise InvalidEdit(f"fields that cannot be edited: {', '.join(unknown)}")
    clean = dict(after)
    if "options" in clean and isinstance(clean["options"], str):
        clean["options"] = [line.strip() for line in clean["options"].splitlines() if line.strip()]
    for name in ("problem", "translation"):
        if name in clean and not str(clean[name]).strip():
            raise InvalidEdit(f"the {name} cannot be empty")
    if "answer" in clean:
        answer = str(clean["answer"]).strip()
        normalized = normalize_answer(answer)
        if not answer or not normalized or not answer_parses(normalized):
            raise InvalidEdit(
                f"math-verify cannot parse the answer {answer!r}: write it as LaTeX, e.g. \\frac{{1}}{{2}}"
            )
        clean["answer"] = answer
    return clean


class ReviewLog:
    """The append-only decisions of one data root, one file per collection."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, collection: str) -> Path:
        return self.folder / f"{_checked(collection)}.jsonl"

    def append(self, collection: str, entry: ReviewEntry) -> None:
        path = self.path(collection)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # one whole line per writer, whatever else writes at once
            f.write(entry.to_json() + "\n")
            f.flush()

    def entries(self, collection: str) -> list[ReviewEntry]:
        path = self.path(collection)
        if not path.is_file():
            return []
        with path.open(encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_SH)
            lines = f.read().splitlines()
        return [_entry(line) for line in lines if line.strip()]

    def stamp(self, collection: str) -> tuple:
        """What changes when a decision is added."""
        try:
            info = self.path(collection).stat()
        except FileNotFoundError:
            return ()
        return info.st_mtime_ns, info.st_size

    def states(self, collection: str) -> dict[str, ProblemReview]:
        """Problem id -> its review state, from every decision in the order they were made."""
        states: dict[str, ProblemReview] = {}
        for entry in self.entries(collection):
            state = states.setdefault(entry.problem_id, ProblemReview(ReviewStatus.ACCEPTED))
            if entry.decision is Decision.EDIT:
                state.edits.update(entry.after)
                state.status, state.reason = ReviewStatus.CORRECTED, ""
            elif entry.decision is Decision.REJECT:
                state.status, state.reason = ReviewStatus.REJECTED, entry.reason
            else:
                state.status = ReviewStatus.CORRECTED if state.edits else ReviewStatus.ACCEPTED
                state.reason = ""
            state.reviewer, state.at = entry.reviewer, entry.at
            state.decisions += 1
        return states


class ObjectReviewLog(ReviewLog):
    """The log on an object store (no appends): one object a decision, named by the nanosecond it was
    made and a random suffix, read back in name order. An upload is visible only once whole."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def append(self, collection: str, entry: ReviewEntry) -> None:
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
        fs, path = fsspec.core.url_to_fs(f"{self.url}/{_checked(collection)}/{name}")
        fs.pipe_file(path, entry.to_json().encode())

    def entries(self, collection: str) -> list[ReviewEntry]:
        names = self._names(collection)
        fs, _ = fsspec.core.url_to_fs(self.url)
        blobs = fs.cat(names) if names else {}
        return [_entry(blobs[name].decode()) for name in names]

    def stamp(self, collection: str) -> tuple:
        return tuple(self._names(collection))

    def _names(self, collection: str) -> list[str]:
        fs, folder = fsspec.core.url_to_fs(f"{self.url}/{_checked(collection)}")
        fs.invalidate_cache(folder)  # another reviewer or machine may have written since the last listing
        return sorted(fs.find(folder))


def review_log(store: TableStore) -> ReviewLog:
    """The decisions of a data root: a file in its local folder (or the work dir), objects in the root
    itself when it is an object store."""
    return ReviewLog(store.local_dir("review")) if store.is_local else ObjectReviewLog(store.url("review"))


def _checked(collection: str) -> str:
    if not collection or "/" in collection or collection.startswith("."):
        raise ValueError(f"not a collection name: {collection!r}")
    return collection


def _entry(line: str) -> ReviewEntry:
    data = json.loads(line)
    return ReviewEntry(**{**data, "decision": Decision(data["decision"])})


def new_entry(problem_id: str, decision: Decision, reviewer: str, **fields: object) -> ReviewEntry:
    return ReviewEntry(problem_id=problem_id, decision=decision, reviewer=reviewer, at=time.time(), **fields)
