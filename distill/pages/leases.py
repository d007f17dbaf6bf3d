"""Pages of one collection shared by several workers through the ledger's leases (pure logic).

Several runs or machines extracting the same collection into the same page cache at once would each
extract every page. With leases, a worker claims a batch of the pages missing from the cache (owner and
expiry in the ledger's lease table, the same as the teacher's requests), extracts them, and releases them
once they are in the cache. A page another worker holds is looked up in the cache until it is there, or
until that worker's lease expires (a killed worker) and this one claims it. So adding workers adds
throughput, and a page is extracted once while the worker that holds it lives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from distill.llm.ledger import Ledger, lease_owner, release_dead_leases

Page = TypeVar("Page", bound=Hashable)


@dataclass(frozen=True)
class PageLeases:
    ledger: Ledger
    lease_s: float = 600.0  # renewed while the batch's pages arrive
    poll_s: float = 2.0  # how often pages other workers hold are looked up again

    def share(
        self,
        pages: dict[str, Page],
        extract: Callable[[list[Page]], Iterator[Page]],
        found: Callable[[Page], dict | None],
        batch: int,
    ) -> Iterator[tuple[Page, dict]]:
        """Extract the batches of ``pages`` (by lease key) this worker claims with ``extract``, which yields
        each page once it is in the cache; yield ``(page, record)`` for each page another worker put
        there (``found`` reads a page's record from the cache, None when it is not there). A batch is
        ``batch`` pages: what the worker's processes take at once, so that the pages spread evenly over
        the workers."""
        owner = lease_owner()
        pending = dict(pages)
        while pending:
            keys = sorted(pending)
            release_dead_leases(self.ledger, keys)
            held = self.ledger.holders(keys)
            for key in [key for key in keys if key in held]:
                if (record := found(pending[key])) is not None:
                    yield pending.pop(key), record
            free = [key for key in sorted(pending) if key not in held]
            mine = self.ledger.claim(free[:batch] or sorted(pending), owner, self.lease_s)
            if not mine:
                if pending:
                    time.sleep(self.poll_s)
                continue
            try:
                for key in sorted(mine):  # put there by a worker that finished before this one claimed
                    if (record := found(pending[key])) is not None:
                        yield pending.pop(key), record
                todo = {pending[key]: key for key in sorted(mine) if key in pending}
                renewed = time.monotonic()
                for page in extract(list(todo)):
                    del pending[todo.pop(page)]
                    if todo and time.monotonic() - renewed > self.lease_s / 3:
                        self.ledger.renew(sorted(todo.values()), owner, self.lease_s)
                        renewed = time.monotonic()
            finally:
                self.ledger.release(sorted(mine), owner)
