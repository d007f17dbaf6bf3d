"""Quality checks of a written dataset dir (pure logic; the asset checks of ``distill_dataset`` call them).

Each reads the Parquet shards in batches, so it works on datasets that do not fit in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from distill.core.kinds import Verdict
from distill.dataset.decontamination import Contamination, Decontaminator
from distill.dataset.shards import shard_paths
from distill.dataset.views import SCHEMAS

VIEWS = ("sft/train", "sft/test", "grpo/train", "eval/heldout")


def _batches(directory: Path, view: str, columns: list[str]) -> Iterator[pa.RecordBatch]:
    for path in shard_paths(directory, view):
        yield from pq.ParquetFile(path).iter_batches(batch_size=65536, columns=columns)


def _column(directory: Path, view: str, name: str) -> pa.ChunkedArray:
    chunks = [batch.column(0) for batch in _batches(directory, view, [name])]
    return pa.chunked_array(chunks, SCHEMAS[view.split("/")[0]].field(name).type)


def _blank(values: pa.Array) -> pa.Array:
    return pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(pc.fill_null(values, ""))), 0)


def _user_turns(messages: pa.Array) -> pa.Array:
    """The content of the last turn of each prompt (the user's problem); "" for an empty prompt."""
    lengths = pc.fill_null(pc.list_value_length(messages), 0).to_numpy(zero_copy_only=False)
    last = np.maximum(np.cumsum(lengths) - 1, 0)
    flat = messages.flatten()
    content = flat.field("content").take(last) if len(flat) else pa.repeat("", len(messages))
    return pc.if_else(pa.array(lengths > 0), content, "")


def rows(directory: Path, view: str) -> int:
    return sum(pq.ParquetFile(path).metadata.num_rows for path in shard_paths(directory, view))


def empty_fields(directory: Path) -> dict[str, int]:
    """Rows with an empty problem or answer, per view and field. An SFT sample of a problem without a
    reference (verdict ``no_reference``, kept only when unverified samples are) may lack an answer."""
    found = {}
    for view in ("sft/train", "sft/test"):
        problems = answers = 0
        for batch in _batches(directory, view, ["problem", "answer", "verdict"]):
            problems += pc.sum(_blank(batch.column(0))).as_py() or 0
            unexpected = pc.and_(
                _blank(batch.column(1)), pc.not_equal(batch.column(2), Verdict.NO_REFERENCE.value)
            )
            answers += pc.sum(unexpected).as_py() or 0
        found |= {f"{view}.problem": problems, f"{view}.answer": answers}
    problems = answers = 0
    for batch in _batches(directory, "grpo/train", ["prompt", "answer"]):
        problems += pc.sum(_blank(_user_turns(batch.column(0)))).as_py() or 0
        answers += pc.sum(_blank(batch.column(1))).as_py() or 0
    found |= {"grpo/train.prompt": problems, "grpo/train.answer": answers}
    for name in ("problem", "answer"):
        found[f"eval/heldout.{name}"] = pc.sum(_blank(_column(directory, "eval/heldout", name))).as_py() or 0
    return found


def duplicate_ids(directory: Path) -> dict[str, int]:
    """Ids that appear more than once: across the SFT splits, and within the GRPO and eval views."""
    groups = {"sft": ["sft/train", "sft/test"], "grpo": ["grpo/train"], "eval": ["eval/heldout"]}
    found = {}
    for name, views in groups.items():
        ids = pa.chunked_array([c for v in views for c in _column(directory, v, "id").chunks], pa.string())
        found[name] = len(ids) - pc.count_distinct(ids).as_py()
    return found


def contamination_left(directory: Path, detector: Decontaminator) -> list[Contamination]:
    """Benchmark items still found in the training views (SFT problems and GRPO prompts)."""
    texts = pc.unique(
        pa.chunked_array(
            [c for v in ("sft/train", "sft/test") for c in _column(directory, v, "problem").chunks]
            + [_user_turns(b.column(0)) for b in _batches(directory, "grpo/train", ["prompt"])],
            pa.string(),
        )
    )
    return detector.query([t for t in texts.to_pylist() if t and t.strip()])


def verified_share(directory: Path) -> tuple[int, int]:
    """(verified SFT samples, SFT samples)."""
    verdicts = pa.chunked_array(
        [c for v in ("sft/train", "sft/test") for c in _column(directory, v, "verdict").chunks], pa.string()
    )
    return pc.sum(pc.equal(verdicts, Verdict.CORRECT.value)).as_py() or 0, len(verdicts)


def schema_mismatches(directory: Path) -> dict[str, str]:
    """Shards whose schema differs from the documented one (``views.SCHEMAS``), or views with no file."""
    found = {}
    for view in VIEWS:
        paths = shard_paths(directory, view)
        if not paths:
            found[view] = "missing"
        expected = SCHEMAS[view.split("/")[0]]
        for path in paths:
            schema = pq.read_schema(path).remove_metadata()
            if not schema.equals(expected):
                found[str(path.relative_to(directory))] = str(schema)
    return found


def malformed_conversations(directory: Path) -> int:
    """SFT rows that are not a user turn then an assistant turn starting with ``<think>\\n``."""
    bad = 0
    for view in ("sft/train", "sft/test"):
        for batch in _batches(directory, view, ["messages"]):
            messages = batch.column(0)
            flat = messages.flatten()
            lengths = pc.list_value_length(messages).to_numpy(zero_copy_only=False)
            roles = flat.field("role").to_numpy(zero_copy_only=False).astype(str)
            starts = np.cumsum(lengths) - lengths
            pairs = lengths == 2
            user = np.zeros(len(lengths), dtype=bool)
            user[pairs] = (roles[starts[pairs]] == "user") & (roles[starts[pairs] + 1] == "assistant")
            think = np.zeros(len(lengths), dtype=bool)
            if pairs.any():
                answers = flat.field("content").take(pa.array(starts[pairs] + 1))
                think[pairs] = pc.starts_with(answers, "<think>\n").to_numpy(zero_copy_only=False)
            bad += int((~(user & think)).sum())
    return bad
