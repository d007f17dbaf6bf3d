"""Records for tests: a row of any stage with placeholder provenance, so that a test names only the
fields it is about."""

SOURCE = {"collection": "c", "source_file": "f.pdf", "source_sha256": "s", "page_start": 1, "page_end": 1}


def stage_row(cls: type, id: str = "p", **fields: object):
    """A ``cls`` record (``ProblemRow`` ... ``VerifiedRow``) of problem ``id`` in collection ``c``."""
    return cls(id=id, **{**SOURCE, **fields})
