import pytest

from distill.core.records import ProblemRow
from distill.core.storage import TableStore
from tests.llm.fault_proxy import FaultProxy
from tests.rows import stage_row


@pytest.fixture
def fault_proxy(local_teacher):
    """``fault_proxy(faults, **options)``: a started proxy in front of the real local teacher."""
    proxies = []

    def start(faults: dict[str, float] | None = None, **options) -> FaultProxy:
        proxy = FaultProxy(local_teacher.port, faults, **options).start()
        proxies.append(proxy)
        return proxy

    yield start
    for proxy in proxies:
        proxy.stop()


@pytest.fixture
def two_problems(tmp_path):
    """A data root whose collection ``c`` has two problem_pairs rows: one in Chinese, one in English."""
    data = tmp_path / "data"
    rows = [
        stage_row(ProblemRow, "zh", problem="求 $2+3$ 的值。", answer="5", language="zh"),
        stage_row(ProblemRow, "en", problem="What is $2+3$?", answer="5"),
    ]
    TableStore(str(data)).write_rows("problem_pairs", "c", rows, ProblemRow)
    return data
