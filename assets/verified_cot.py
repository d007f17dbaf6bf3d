from collections import Counter

import dagster as dg

from assets.partitions import collections
from assets.resources import StorageResource
from assets.teacher_cot import teacher_cot
from distill.core.kinds import Verdict
from distill.core.records import CotRow, VerifiedRow
from distill.verification.verdicts import verify_rows


@dg.asset(
    partitions_def=collections,
    deps=[teacher_cot],
    group_name="teacher",
    kinds={"python", "parquet"},
    description="Teacher answers (last \\boxed{}) verified against the references with math-verify: verdict "
    "per sample, pass rate per problem, R1 filter flags.",
)
def verified_cot(context: dg.AssetExecutionContext, storage: StorageResource) -> dg.MaterializeResult:
    store = storage.store()
    rows = store.read_rows("teacher_cot", context.partition_key, CotRow)
    out, verdicts = verify_rows(rows)
    path = store.write_rows("verified_cot", context.partition_key, out, VerifiedRow)
    checked = verdicts[Verdict.CORRECT] + verdicts[Verdict.INCORRECT]
    rates = {row.id: row.pass_rate for row in out if row.pass_rate is not None}
    return dg.MaterializeResult(
        metadata={
            "samples": len(out),
            "verdicts": {str(v): n for v, n in verdicts.items()},
            "accuracy_of_checked": round(verdicts[Verdict.CORRECT] / checked, 4) if checked else 0.0,
            "problems_checked": len(rates),
            "problems_pass_rate_0.2_to_0.8": sum(0.2 <= r <= 0.8 for r in rates.values()),
            "filter_flags": dict(Counter(flag for row in out for flag in row.filter_flags)),
            "path": dg.MetadataValue.path(path),
        }
    )
