"""Near-duplicate lookup: which indexed pages a new page nearly repeats.

SimHash fingerprints (the `simhash` package computes them) find the candidates: two 64-bit
fingerprints within k bits of each other agree on at least one of k + 1 blocks (the pigeonhole
argument of Manku, Jain and Das Sarma, WWW 2007), so each fingerprint is filed under its k + 1
block values. The `simhash` package's own index does the same but builds an object (and an MD5)
per candidate it compares; on pages built from one template, whose fingerprints crowd into a few
blocks, that measured a tenth of the crawl process's time, against nothing for `int.bit_count`.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

FINGERPRINT_BITS = 64


class SimhashBuckets:
    def __init__(self, max_distance: int) -> None:
        self.max_distance = max_distance
        blocks = max_distance + 1
        edges = [round(i * FINGERPRINT_BITS / blocks) for i in range(blocks + 1)]
        self.blocks = [(start, (1 << (end - start)) - 1) for start, end in itertools.pairwise(edges)]
        self.buckets: list[defaultdict[int, dict[str, int]]] = [defaultdict(dict) for _ in self.blocks]

    def add(self, key: str, fingerprint: int) -> None:
        for (shift, mask), bucket in zip(self.blocks, self.buckets, strict=True):
            bucket[(fingerprint >> shift) & mask][key] = fingerprint

    def near(self, fingerprint: int) -> list[str]:
        """Keys whose fingerprint is within `max_distance` bits of this one, closest first."""
        found: dict[str, int] = {}
        for (shift, mask), bucket in zip(self.blocks, self.buckets, strict=True):
            for key, other in bucket.get((fingerprint >> shift) & mask, {}).items():
                distance = (fingerprint ^ other).bit_count()
                if distance <= self.max_distance:
                    found[key] = distance
        return sorted(found, key=lambda k: (found[k], k))
