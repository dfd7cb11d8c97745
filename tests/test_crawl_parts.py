"""Parts of the crawl pipeline on their own: near-duplicate lookup by SimHash, and the spool that
keeps analysed pages on disk while the index refuses them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from analysis import Analyser
from config import Settings
from crawler.duplicates import FINGERPRINT_BITS, SimhashBuckets
from crawler.spool import Spool
from indexer.backends import open_backend
from indexer.backends.base import BackendError, IndexedDocument, UpsertCounts
from indexer.pipeline import Indexer, IndexWriter
from tests.helpers import doc


def flipped(fingerprint: int, bits: int, rng: random.Random) -> int:
    for bit in rng.sample(range(FINGERPRINT_BITS), bits):
        fingerprint ^= 1 << bit
    return fingerprint


def test_simhash_buckets_find_exactly_the_fingerprints_within_the_distance() -> None:
    rng = random.Random(7)
    buckets = SimhashBuckets(max_distance=8)
    page = rng.getrandbits(FINGERPRINT_BITS)
    for distance in (0, 3, 8, 9, 20):
        buckets.add(f"d{distance}", flipped(page, distance, rng))
    assert buckets.near(page) == ["d0", "d3", "d8"]  # closest first, and nothing beyond 8 bits


def test_simhash_buckets_agree_with_a_brute_force_scan() -> None:
    rng = random.Random(11)
    buckets = SimhashBuckets(max_distance=4)
    stored = {f"k{i}": flipped(1234567, rng.randrange(0, 10), rng) for i in range(300)}
    for key, fingerprint in stored.items():
        buckets.add(key, fingerprint)
    probe = flipped(1234567, 2, rng)
    expected = sorted((k for k, f in stored.items() if (f ^ probe).bit_count() <= 4),
                      key=lambda k: ((stored[k] ^ probe).bit_count(), k))
    assert buckets.near(probe) == expected


class RefusingWriter(IndexWriter):
    """An index that refuses writes until told otherwise, like a full disk or a cluster that is down."""

    def __init__(self, writer: IndexWriter) -> None:
        super().__init__(writer.backend)
        self.refusing = True

    def write(self, documents: list[IndexedDocument]) -> UpsertCounts:
        if self.refusing:
            raise BackendError("the index is unavailable")
        return super().write(documents)


def test_the_spool_keeps_every_batch_until_the_index_takes_it(analyser: Analyser, tmp_path: Path) -> None:
    backend = open_backend(Settings(data_dir=tmp_path / "data"))
    try:
        indexer = Indexer(analyser, backend)
        spool = Spool(tmp_path / "spool", "source")
        spool.put([indexer.prepare(doc("https://a.example.cn/1", title="汽车零部件"))])
        spool.put([indexer.prepare(doc("https://a.example.cn/2", title="机械设备"))])
        writer = RefusingWriter(indexer.writer)
        with pytest.raises(BackendError):
            spool.drain(writer)
        assert len(spool.pending()) == 2 and backend.stats().documents == 0  # nothing lost, nothing half-written
        writer.refusing = False
        assert spool.drain(writer) == UpsertCounts(2, 0, 0)
        assert spool.pending() == [] and backend.stats().documents == 2
    finally:
        backend.close()
