import multiprocessing
import sqlite3
import time

from distill.llm.ledger import ERROR, LedgerEntry, SqliteLedger, request_key


def entry(key: str, content: str = "answer", status: str = "ok", attempts: int = 1) -> LedgerEntry:
    return LedgerEntry(key, "m", "v1", content, "", "stop", 3, 5, 0.1, 0.0, attempts, 0.0, status=status)


def test_request_key_depends_on_every_part():
    base = dict(
        model="m",
        messages=[{"role": "user", "content": "q"}],
        params={"t": 0.6},
        sample_index=0,
        prompt_version="v1",
    )
    key = request_key(**base)
    assert key == request_key(**base)
    for change in (
        {"model": "m2"},
        {"messages": [{"role": "user", "content": "q2"}]},
        {"params": {"t": 0.7}},
        {"sample_index": 1},
        {"prompt_version": "v2"},
    ):
        assert request_key(**{**base, **change}) != key


def test_entries_survive_reopen_and_first_write_wins(tmp_path):
    ledger = SqliteLedger(tmp_path / "l.sqlite")
    ledger.put(entry("a", "first"))
    ledger.put(entry("a", "second"))
    ledger.close()
    reopened = SqliteLedger(tmp_path / "l.sqlite")
    assert reopened.count() == 1
    assert reopened.get_many(["a", "missing"])["a"].content == "first"


def test_a_failed_request_is_recorded_but_asked_again_and_then_replaced(tmp_path):
    ledger = SqliteLedger(tmp_path / "l.sqlite")
    ledger.put(entry("a", "", status=ERROR, attempts=9))
    assert ledger.get_many(["a"]) == {} and ledger.count() == 0
    ledger.put(entry("a", "finally", attempts=2))
    got = ledger.get_many(["a"])["a"]
    assert got.content == "finally" and got.status == "ok" and got.attempts == 11  # attempts add up
    ledger.put(entry("a", "", status=ERROR))  # a later failure never replaces an answer
    assert ledger.get_many(["a"])["a"].content == "finally"


def test_a_ledger_of_the_old_schema_gains_the_new_columns(tmp_path):
    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE responses (key TEXT PRIMARY KEY, model TEXT NOT NULL, prompt_version TEXT NOT NULL, "
        "content TEXT NOT NULL, reasoning TEXT NOT NULL, finish_reason TEXT NOT NULL, prompt_tokens INTEGER "
        "NOT NULL, completion_tokens INTEGER NOT NULL, latency_s REAL NOT NULL, cost_usd REAL NOT NULL, "
        "attempts INTEGER NOT NULL, created_at REAL NOT NULL)"
    )
    old.execute("INSERT INTO responses VALUES ('k', 'm', 'v1', 'old answer', '', 'stop', 1, 2, 0.1, 0, 1, 0)")
    old.commit()
    old.close()
    got = SqliteLedger(path).get_many(["k"])["k"]
    assert got.content == "old answer" and got.status == "ok" and got.cached_tokens == 0


def _writer(path: str, start: int) -> None:
    ledger = SqliteLedger(path)
    for i in range(start, start + 50):
        ledger.put(entry(f"k{i}"))


def test_concurrent_processes_write_one_ledger(tmp_path):
    path = str(tmp_path / "l.sqlite")
    SqliteLedger(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(path, s)) for s in (0, 25)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert SqliteLedger(path).count() == 75


def _opener(path: str, start_at: float, index: int) -> None:
    time.sleep(max(start_at - time.time(), 0))
    SqliteLedger(path).put(entry(f"k{index}"))


def test_processes_opening_a_new_ledger_at_once_all_get_it(tmp_path):
    # turning WAL on takes the file alone: SQLite answers "database is locked" at once to the others
    path = str(tmp_path / "new.sqlite")
    context = multiprocessing.get_context("fork")
    start_at = time.time() + 1.0
    workers = [context.Process(target=_opener, args=(path, start_at, i)) for i in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0] * 8
    assert SqliteLedger(path).count() == 8
