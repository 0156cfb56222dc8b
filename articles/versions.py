"""Word-level differences between two versions of an article's text.

An outlet silently changing "ميليشيا" to "قوات" after publication is a finding, so the diff works
on words (whitespace-separated tokens, compared exactly: a changed clitic or hamza is a change),
not on lines or characters. difflib's SequenceMatcher runs with autojunk off, because in a long
Arabic article the most frequent words (في، من، على) would otherwise be ignored as junk and the
alignment would drift. Plain data in, plain data out.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from typing import Literal

Op = Literal["equal", "delete", "insert"]


@dataclass(frozen=True, slots=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True, slots=True)
class Change:
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class WordDiff:
    segments: tuple[Segment, ...]
    changes: tuple[Change, ...]  # each replaced, removed or added run of words

    @property
    def changed(self) -> bool:
        return bool(self.changes)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def word_diff(old: str, new: str) -> WordDiff:
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    segments: list[Segment] = []
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        removed, added = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        if tag == "equal":
            segments.append(Segment("equal", removed))
            continue
        if removed:
            segments.append(Segment("delete", removed))
        if added:
            segments.append(Segment("insert", added))
        changes.append(Change(removed, added))
    return WordDiff(tuple(segments), tuple(changes))
