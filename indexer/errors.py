"""What can go wrong with an index, the same for every backend."""


class IndexUnusable(RuntimeError):
    """The index is missing or damaged; rebuild it (``bauakte reindex``)."""


class IndexBusy(RuntimeError):
    """Another writer held the index longer than this one would wait."""
