"""Exact and near-duplicate detection.

- **Exact**: the same URL, or the same content hash: SHA-256 of the cleaned body after matching
  normalisation with white space folded, so a copy that differs only in diacritics, tatweel,
  alef forms or line breaks counts as the same text.
- **Near**: word 5-gram shingles over clitic-stripped token keys; a 64-value MinHash signature;
  16 LSH bands of 4 rows give candidates, then the exact Jaccard similarity of the two shingle
  sets decides. With 16x4 bands a pair at Jaccard 0.8 becomes a candidate with probability
  0.9999 and a pair at 0.3 with 0.12, so the verification step, not the bands, sets the line.
- **Threshold** ``NEAR_DUPLICATE_JACCARD = 0.7``: a syndicated copy with a changed headline,
  byline, a sentence added or dropped keeps well above 0.8; two different articles of one outlet
  that reuse background paragraphs (the seeds' 000 and 001 share whole paragraphs) sit far
  below it (measured 0.15 on that pair), and 5-gram shingles make chance overlap negligible.
- **Verification cost**: each article stores its signature, so a band-sharing candidate is first
  judged by the estimated Jaccard (share of equal MinHash values; standard error about 0.06 at
  0.7 with 64 values); only candidates estimated at ``VERIFY_ABOVE`` = 0.5 or more have their
  text re-shingled for the exact figure. A pair at 0.7 falls below 0.5 in the estimate with
  probability under 0.1%.

A near duplicate is stored and marked as a copy of the earlier article, never dropped.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

import numpy as np

from articles.normalization import memo_map, normalize, token_keys

SHINGLE_SIZE = 5
BANDS = 16
ROWS = 4
NEAR_DUPLICATE_JACCARD = 0.7
VERIFY_ABOVE = 0.5
_PRIME = (1 << 31) - 1
_PRIME_U64 = np.uint64(_PRIME)
_rng = np.random.default_rng(20201218)  # fixed: stored band keys must be stable across runs
_A = _rng.integers(1, _PRIME, size=BANDS * ROWS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, size=BANDS * ROWS, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    content_hash: str
    shingles: frozenset[int]
    signature: tuple[int, ...]
    bands: tuple[str, ...]


def content_hash(body: str) -> str:
    return content_hash_of_normalized(normalize(body))


def content_hash_of_normalized(normalized: str) -> str:
    """``content_hash`` of a body whose matching form is already known (import has it)."""
    folded = " ".join(normalized.split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def shingles(body: str) -> frozenset[int]:
    return shingles_from_keys(token_keys(body))


def _key_hash(key: str) -> int:
    return zlib.crc32(key.encode("utf-8"))


# CRC-32 of each token key, remembered: keys repeat across articles (see memo_map).
_KEY_HASHES: dict[str, int] = {}


def _key_hashes(keys: list[str]) -> np.ndarray:
    return np.array(memo_map(_KEY_HASHES, _key_hash, keys), dtype=np.uint64)


# Odd 64-bit multipliers: a shingle's hash is sum(hash(key_j) * M_j) mod 2**64, taken over its
# five keys in order, then folded to 31 bits. Computed for all shingles at once with numpy.
_MULTIPLIERS = np.array(
    [
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
    ],
    dtype=np.uint64,
)


def shingles_from_keys(keys: list[str]) -> frozenset[int]:
    return frozenset(_shingle_values(keys).tolist())


def _shingle_values(keys: list[str]) -> np.ndarray:
    """The shingle hashes of ``keys`` in text order (a shingle met twice appears twice)."""
    if not keys:
        return np.zeros(0, dtype=np.uint64)
    hashes = _key_hashes(keys)
    size = min(SHINGLE_SIZE, len(hashes))
    count = len(hashes) - size + 1
    combined = np.zeros(count, dtype=np.uint64)
    for offset in range(size):
        # uint64 arithmetic wraps, which is the mod 2**64 wanted here.
        combined += hashes[offset : offset + count] * _MULTIPLIERS[offset]
    combined >>= np.uint64(33)
    combined %= np.uint64(_PRIME)
    return combined


def minhash(shingle_set: frozenset[int]) -> tuple[int, ...]:
    values = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))
    return _minhash_of(values)


def _minhash_of(values: np.ndarray) -> tuple[int, ...]:
    """The signature of the shingles ``values`` holds; repeats do not change a minimum."""
    if not len(values):
        return ()
    # (a*x + b) mod p stays below 2^63 because a, b, x < 2^31.
    products = _A[:, None] * values[None, :]
    products += _B[:, None]
    products %= _PRIME_U64
    return tuple(products.min(axis=1).tolist())


def band_keys_of(signature: tuple[int, ...]) -> tuple[str, ...]:
    if not signature:
        return ()
    rows = np.array(signature, dtype=np.uint64).reshape(BANDS, ROWS)
    return tuple(
        f"{band:02d}:{hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest()}"
        for band, row in enumerate(rows)
    )


def band_keys(shingle_set: frozenset[int]) -> tuple[str, ...]:
    return band_keys_of(minhash(shingle_set))


def estimated_jaccard(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """The share of equal MinHash values: an unbiased estimate of the Jaccard similarity."""
    if not a or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def fingerprint(
    body: str, keys: list[str] | None = None, *, normalized: str | None = None
) -> Fingerprint:
    """Hash, shingles, signature and bands of ``body``.

    ``keys`` (its ``token_keys``) and ``normalized`` (its ``normalize``) are computed when not
    given; the import passes both, computed once with ``normalize_and_keys``.
    """
    values = _shingle_values(token_keys(body) if keys is None else keys)
    signature = _minhash_of(values)
    return Fingerprint(
        content_hash_of_normalized(normalize(body) if normalized is None else normalized),
        frozenset(values.tolist()),
        signature,
        band_keys_of(signature),
    )


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def is_near_duplicate(similarity: float) -> bool:
    return similarity >= NEAR_DUPLICATE_JACCARD
