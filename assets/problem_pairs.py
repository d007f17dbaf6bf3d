from collections import Counter

import dagster as dg

from assets.partitions import collections
from assets.pdf_pages import pdf_pages
from assets.resources import TEACHER_POOL, StorageResource, TeacherResource
from distill.core.kinds import ErrorKind, SplitMethod
from distill.core.records import PageRow, ProblemRow
from distill.llm.prompts import Prompt
from distill.problems.forum import list_dumps
from distill.problems.pairs import (
    LONE_KEY,
    NO_KEY_ENTRY,
    Fallback,
    PairsResult,
    finish_answers,
    problems_from_forum,
    problems_from_pages,
)
from distill.problems.split_fallback import SendPages
from distill.review.apply import apply_to_problems
from distill.review.decisions import ReviewStatus


class SplitConfig(dg.Config):
    teacher_fallback: bool = True  # send pages the rules cannot split confidently to the teacher
    fallback_prompt: str = "configs/prompts/split_fallback.yaml"
    fallback_max_tokens: int = 2048
    fallback_max_pages: int = 20  # per document
    fallback_response_format: str = "json_schema"  # "json_object" for DeepSeek, "none" if both are refused
    fallback_send: str = "doubtful"  # "all": every page goes to the teacher (to compare it with the rules)


@dg.asset(
    partitions_def=collections,
    deps=[pdf_pages],
    group_name="ingest",
    kinds={"python", "parquet"},
    pool=TEACHER_POOL,
    description="Problem-solution pairs: layout rules, the teacher for pages the rules cannot split "
    "confidently, forum threads; reference answers normalized and checked with math-verify.",
)
def problem_pairs(
    context: dg.AssetExecutionContext, config: SplitConfig, storage: StorageResource, teacher: TeacherResource
) -> dg.MaterializeResult:
    store = storage.store()
    pages = store.read_rows("pdf_pages", context.partition_key, PageRow)
    fallback = None
    if config.teacher_fallback:
        client = teacher.client(storage.ledger(), temperature=0.0)
        fallback = Fallback(
            client,
            Prompt.load(config.fallback_prompt),
            config.fallback_max_tokens,
            config.fallback_max_pages,
            config.fallback_response_format,
            SendPages(config.fallback_send),
        )
    from_pdfs = problems_from_pages(pages, fallback)
    folder = storage.inbox() / context.partition_key
    dumps = list_dumps(folder) if folder.is_dir() else []
    from_forum = problems_from_forum(context.partition_key, folder, dumps) if dumps else PairsResult(rows=[])
    rows = from_pdfs.rows + from_forum.rows
    reviews = storage.reviews().states(context.partition_key)
    finish_answers(apply_to_problems(rows, reviews))  # a person's corrections and rejections
    for row in rows:
        if row.error:
            context.log.warning(f"{row.source_file}: {row.error}")
    path = store.write_rows("problem_pairs", context.partition_key, rows, ProblemRow)
    good = [r for r in rows if not r.error]
    teacher_meta = from_pdfs.teacher.as_metadata() if from_pdfs.teacher else {}
    reasons = from_pdfs.reasons + from_forum.reasons
    return dg.MaterializeResult(
        metadata={
            "problems": len(good),
            "with_reference_answer": sum(bool(r.answer) for r in good),
            "answers_parsed_by_math_verify": sum(r.answer_parses for r in good),
            "by_type": {str(t): n for t, n in sorted(Counter(r.type for r in good).items())},
            "by_split_method": {str(m): n for m, n in sorted(Counter(r.split_method for r in good).items())},
            "fallback_pages": dict(from_pdfs.fallback),
            "split_notes": dict(Counter(n.split(":")[0] for r in good for n in r.split_notes)),
            "split_doubt": {  # how much of the split the rules were unsure of, and what the teacher did
                "pages_in_doubt": from_pdfs.pages_in_doubt,
                "pages_sent": from_pdfs.fallback["accepted"] + from_pdfs.fallback["rejected"],
                "records_from_teacher": sum(r.split_method == SplitMethod.TEACHER for r in good),
                "rows_count_differs": sum(
                    any(n.startswith("count_differs") for n in r.split_notes) for r in good
                ),
            },
            "fallback_teacher": teacher_meta,
            "forum_dumps": len(dumps),
            "answer_files": {  # answer keys in files of their own (distill/problems/answer_files.py)
                "paired": len({r.answer_file for r in good if r.answer_file}),
                "without_exam": len({r.source_file for r in rows if LONE_KEY in r.split_notes}),
                "problems_without_key_entry": sum(NO_KEY_ENTRY in r.split_notes for r in good),
            },
            "files_without_problems": sum(
                n for kind, n in reasons.items() if kind != ErrorKind.UNMATCHED_ANSWERS
            ),
            "error_kinds": {str(kind): n for kind, n in reasons.items()},
            "review": {  # decisions of the review page applied to this run's rows
                status: sum(r.review == status for r in rows) for status in ReviewStatus
            },
            "review_page": storage.review_link(context.partition_key),
            **teacher.server_metadata(context.log.warning),
            "path": dg.MetadataValue.path(path),
        }
    )
