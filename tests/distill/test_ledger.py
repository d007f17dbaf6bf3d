import multiprocessing

from distill.ledger import LedgerEntry, SqliteLedger, request_key


def entry(key: str, content: str = "answer") -> LedgerEntry:
    return LedgerEntry(key, "m", "v1", content, "", "stop", 3, 5, 0.1, 0.0, 1, 0.0)


def test_request_key_depends_on_every_part():
    base = dict(model="m", messages=[{"role": "user", "content": "q"}], params={"t": 0.6}, sample_index=0,
                prompt_version="v1")  # fmt: skip
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
