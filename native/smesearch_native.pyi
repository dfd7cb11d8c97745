"""One pass over the embedded index for a search's top hits, its count and its facets (src/lib.rs)."""

class Index:
    """An index opened for searching, reloaded when the caller sees a new commit."""

    def __init__(self, path: str, threads: int = 1) -> None: ...
    def reload(self) -> None: ...
    def search(
        self,
        matching: bytes,
        offset: int,
        limit: int,
        facets: list[tuple[str, str]],
        preferred: bytes | None = None,
        bonus: float = 0.0,
    ) -> tuple[list[tuple[float, str]], int, list[tuple[str, list[int] | list[tuple[str, int]]]]]: ...
