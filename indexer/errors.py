"""What can go wrong with an index, the same for every backend."""


class IndexUnusable(RuntimeError):
    """The index is missing or damaged; rebuild it (``bauakte reindex``)."""


class IndexBusy(RuntimeError):
    """Another writer held the index longer than this one would wait."""


class SearchUnreachable(IndexUnusable):
    """No search node answers (or all refuse for load): the index may be whole, and a
    rebuild would not reach it either; start the cluster or wait."""
