"""Aligned facts across a cluster's articles, and word-level substitutions between them.

Pure and typed (no ORM). Offsets are character offsets (code points) into each article's
stored cleaned body, like every other span in Zawiya.

Sentences (``split_sentences``)
    A sentence ends at ``!``, ``?``, ``؟``, ``؛``, ``…`` or a line break, and at ``.`` only when
    the dot is followed by white space or the end of the text, or is glued to the next Arabic
    word after an Arabic word of two or more letters (scraped Arabic often drops the space:
    "المدينة.وقال"). A dot after a single letter is an initial, never an end ("أ.ف.ب",
    "أ. ف. ب.", "د. محمد", "م.ت.ف"), and a dot between digits is a decimal point ("3.5").
    A run of terminators ("؟!", "...") and the closing quotes or brackets after it belong to the
    sentence they end. Sentences are trimmed of white space; a piece with no word is dropped.

Alignment (``align``)
    * Keys: a sentence is compared on its *content keys*: ``search_key`` of each token key
      (the one normaliser: clitics, alef/hamza, ta marbuta, diacritics, and light plural and
      spelling folding, so قوات/القوة and ميليشيا/مليشيات agree), minus ``FUNCTION_WORDS_SOURCE`` and
      one-letter keys.
    * Common keys: a key found in more than ``COMMON_KEY_SHARE`` = 25% of the cluster's
      sentences, and in more sentences than there are articles, names the story (the place and
      the main actors: "عين عيسى", "قسد", "تركيا" in nearly every sentence), not a fact. It is
      left out of both candidate search and scoring. The second condition keeps a key that
      occurs once per article, which is exactly what an aligned fact looks like in a small
      cluster.
    * Candidates: an inverted index from the remaining keys to sentences; a pair of sentences
      from two different articles is a candidate when it shares at least ``MIN_SHARED_KEYS`` =
      3 of them. This bounds the rapidfuzz calls to pairs that could match: 5 articles of 40
      sentences align in 16-29 ms even with a 43-word vocabulary (the dense worst case of
      tests/comparisons/test_alignment.py::test_five_articles_align_quickly); the five seed
      articles (78 sentences) in about 10 ms.
    * Score: rapidfuzz ``token_set_ratio`` of the two sentences' sorted distinctive keys
      (0-100). It forgives what one outlet adds around a shared core (an attribution, a
      clause), which is how the same fact reads in two reports. Its weakness, a short sentence
      contained in a long one scoring 100, is what ``MIN_SHARED_KEYS`` guards against.
    * ``ALIGN_THRESHOLD`` = 55. Evidence, seeds 000 (Orient) and 002 (Al Mayadeen) on the
      December 2020 offensive on Ain Issa, and 001 (Orient, the same town nine days earlier):
      the sourced clash report both outlets give ("مصادر محلية ... سيطر على مواقع ... بعد
      اشتباكات عنيفة" / "مصادر ميدانية وأهلية ... السيطرة على مواقع ... بعد اشتباكات عنيفة")
      scores 56, the observation points 001 and 002 both report 69, Orient's near-copies across
      its two reports 88-100; the best-scoring pairs that are not one fact score 56 (the same
      Sputnik sentence, already taken by the better pair, so the one-per-article rule drops
      it), 53 and below. With all keys kept (no common-key rule), unrelated sentences that
      share the place and the actors scored 60-67, above the real pair: hence that rule. The
      margin is thin; this is a reading aid for analysts, who see the score, not a verdict.
    * Grouping: candidate pairs at or above the threshold are taken greedily, best score first
      (ties by article order, then sentence order: deterministic), into facts holding at most
      one sentence per article. A pair joins or merges facts only if that keeps one sentence
      per article (single link). Every sentence left over is a fact of its own: reported by
      one article only, a possible omission by the others.
    * Facts are ordered by where they appear: the smallest relative position (sentence index /
      number of sentences) among their sentences, then article order, so a side-by-side view
      reads top to bottom like the articles.

Word diff (``word_diff``) and substitutions (``substitution_candidates``)
    ``difflib.SequenceMatcher`` (``autojunk=False``) over the two sentences' search keys, mapped
    back to character offsets of the original sentences: "ميليشيا أسد" against "الجيش السوري"
    is one ``replace`` op, and "لميليشيا" against "ميليشيا" is ``equal``. An ``insert`` sits at
    the end of the word before it in ``a`` (a ``delete`` likewise in ``b``).
    ``substitution_candidates`` keeps the ``replace`` ops whose sides both hold 1 to
    ``MAX_SUBSTITUTION_WORDS`` = 4 words and a letter (numbers that differ are contested
    figures, ``comparisons/figures.py``, not wording): what an analyst can add to the lexicon
    in one step.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

from rapidfuzz import fuzz

from articles.normalization import Token, search_key, token_key, tokenize

__all__ = [
    "ALIGN_THRESHOLD",
    "Alignment",
    "DiffOp",
    "Fact",
    "Sentence",
    "SentenceRef",
    "Substitution",
    "align",
    "split_sentences",
    "substitution_candidates",
    "word_diff",
]

ArticleId = int | str

ALIGN_THRESHOLD = 55.0
MIN_SHARED_KEYS = 3
COMMON_KEY_SHARE = 0.25
MAX_SUBSTITUTION_WORDS = 4

# Function words and reporting verbs: they say nothing about which fact a sentence states.
FUNCTION_WORDS_SOURCE = (
    "في من على الى إلى عن مع بعد قبل حتى منذ خلال بين عند لدى حول ضد دون نحو عبر وفق أمام "
    "و او أو ثم بل لكن ان أن إن إذا لو لا لم لن ما قد لقد كان كانت كانوا يكون تكون ليس هو هي "
    "هم هذا هذه ذلك تلك الذي التي الذين كل بعض غير أي أيضا كما مثل حيث له لها لهم به بها فيه "
    "فيها منه منها عليه عليها إليه إليها بينما هناك اليوم "
    "قال قالت أضاف أضافت أشار أشارت مشيرا مشيرة أكد أكدت أعلن أعلنت ذكر ذكرت أفاد أفادت بحسب "
    "حسب وفقا"
)

_TERMINATORS = frozenset("!?؟؛…\n")
_CLOSERS = frozenset("\"'”’»›)]}")
_SPACE = frozenset(" \t\r\n\u00a0\u202f\u2009\u200f\u200e")


@dataclass(frozen=True, slots=True)
class SentenceRef:
    """One sentence of one article: ``body[start:end] == text``."""

    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    ref: SentenceRef
    tokens: tuple[Token, ...]
    keys: tuple[str, ...]  # content keys, in order


@dataclass(frozen=True, slots=True)
class Fact:
    id: int
    sentences: dict[ArticleId, SentenceRef]
    outlets_count: int
    score: float  # best pair score that built it; 0 for a fact reported once

    def missing_from(self, article_ids: Iterable[ArticleId]) -> list[ArticleId]:
        return [article_id for article_id in article_ids if article_id not in self.sentences]


@dataclass(frozen=True, slots=True)
class Alignment:
    article_ids: tuple[ArticleId, ...]
    sentences: dict[ArticleId, list[Sentence]]
    facts: list[Fact] = field(default_factory=list)

    @property
    def shared(self) -> list[Fact]:
        """Facts reported by two or more articles."""
        return [fact for fact in self.facts if len(fact.sentences) > 1]

    @property
    def single_source(self) -> list[Fact]:
        """Facts only one article reports: possible omissions by the others."""
        return [fact for fact in self.facts if len(fact.sentences) == 1]


@dataclass(frozen=True, slots=True)
class DiffOp:
    kind: Literal["equal", "replace", "insert", "delete"]
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str
    a_words: int
    b_words: int


@dataclass(frozen=True, slots=True)
class Substitution:
    """A short replace op between two articles' versions of one fact; offsets into bodies."""

    fact_id: int
    a_article: ArticleId
    b_article: ArticleId
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_text: str
    b_text: str


_function_words: frozenset[str] | None = None


def _function_keys() -> frozenset[str]:
    global _function_words
    if _function_words is None:
        _function_words = frozenset(search_key(token_key(w)) for w in FUNCTION_WORDS_SOURCE.split())
    return _function_words


# --------------------------------------------------------------------------------------
# Sentences
# --------------------------------------------------------------------------------------


def _is_arabic_letter(char: str) -> bool:
    return "\u0620" <= char <= "\u064a" or "\u066e" <= char <= "\u06d3" or char == "\u06d5"


def _word_before(text: str, index: int) -> str:
    start = index
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    return text[start:index]


def _dot_ends_sentence(text: str, index: int) -> bool:
    after = text[index + 1] if index + 1 < len(text) else ""
    before = _word_before(text, index)
    if len(before) == 1:
        return False  # an initial: أ.ف.ب, د. محمد
    if after == "" or after in _SPACE or after in _CLOSERS or after in ".!?؟؛…":
        return True
    # Glued to the next word: only Arabic after an Arabic word (a missing space), never
    # digits (3.5) or Latin (orient-news.net, U.S.).
    return len(before) >= 2 and _is_arabic_letter(before[-1]) and _is_arabic_letter(after)


def _ends(text: str) -> Iterable[int]:
    """Indexes just after each sentence end (terminator run plus closing marks)."""
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char in _TERMINATORS or (char == "." and _dot_ends_sentence(text, index)):
            index += 1
            while index < length and (text[index] in ".!?؟؛…" or text[index] in _CLOSERS):
                index += 1
            yield index
            continue
        index += 1
    yield length


def split_sentences(text: str) -> list[SentenceRef]:
    """Sentences of ``text`` with offsets (see the module docstring for the rules)."""
    refs: list[SentenceRef] = []
    start = 0
    for end in _ends(text):
        s, e = start, end
        while s < e and (text[s] in _SPACE or text[s].isspace()):
            s += 1
        while e > s and (text[e - 1] in _SPACE or text[e - 1].isspace()):
            e -= 1
        piece = text[s:e]
        if piece and any(c.isalnum() for c in piece):
            refs.append(SentenceRef(len(refs), s, e, piece))
        start = end
    return refs


def _sentences(text: str) -> list[Sentence]:
    tokens = tokenize(text)
    function_words = _function_keys()
    out: list[Sentence] = []
    position = 0
    for ref in split_sentences(text):
        while position < len(tokens) and tokens[position].start < ref.start:
            position += 1
        first = position
        while position < len(tokens) and tokens[position].end <= ref.end:
            position += 1
        own = tuple(tokens[first:position])
        keys = tuple(
            key
            for key in (search_key(token.key) for token in own)
            if len(key) > 1 and key not in function_words
        )
        out.append(Sentence(ref, own, keys))
    return out


# --------------------------------------------------------------------------------------
# Alignment
# --------------------------------------------------------------------------------------

_Node = tuple[int, int]  # (article position, sentence index)


def _score(a: Sentence, b: Sentence, common: frozenset[str]) -> float:
    left = " ".join(sorted(set(a.keys) - common))
    right = " ".join(sorted(set(b.keys) - common))
    return float(fuzz.token_set_ratio(left, right))


def _common_keys(per_article: list[list[Sentence]]) -> frozenset[str]:
    """Keys in more than COMMON_KEY_SHARE of all sentences and more sentences than articles."""
    df: Counter[str] = Counter()
    total = 0
    for sentences in per_article:
        for sentence in sentences:
            total += 1
            df.update(set(sentence.keys))
    limit = max(COMMON_KEY_SHARE * total, len(per_article))
    return frozenset(key for key, count in df.items() if count > limit)


def _candidate_pairs(
    per_article: list[list[Sentence]], common: frozenset[str]
) -> dict[tuple[_Node, _Node], int]:
    """Pairs of sentences of different articles sharing >= MIN_SHARED_KEYS distinctive keys."""
    postings: dict[str, list[_Node]] = defaultdict(list)
    for article, sentences in enumerate(per_article):
        for sentence in sentences:
            for key in set(sentence.keys) - common:
                postings[key].append((article, sentence.ref.index))
    shared: Counter[tuple[_Node, _Node]] = Counter()
    for nodes in postings.values():
        for left, right in combinations(nodes, 2):
            if left[0] != right[0]:
                shared[(left, right) if left < right else (right, left)] += 1
    return {pair: count for pair, count in shared.items() if count >= MIN_SHARED_KEYS}


def align(
    bodies: Mapping[ArticleId, str],
    *,
    outlets: Mapping[ArticleId, str] | None = None,
    threshold: float = ALIGN_THRESHOLD,
) -> Alignment:
    """Facts of a cluster: ``bodies`` maps article id to stored cleaned body, in display order.

    ``outlets`` (article id to outlet) makes ``Fact.outlets_count`` count distinct outlets;
    without it each article counts as its own outlet.
    """
    ids = tuple(bodies)
    per_article = [_sentences(bodies[article_id]) for article_id in ids]
    common = _common_keys(per_article)
    scored = []
    for left, right in _candidate_pairs(per_article, common):
        score = _score(per_article[left[0]][left[1]], per_article[right[0]][right[1]], common)
        if score >= threshold:
            scored.append((-score, left, right))
    scored.sort()

    fact_of: dict[_Node, int] = {}
    members: dict[int, dict[int, int]] = {}  # fact -> article position -> sentence index
    best: dict[int, float] = {}
    for negative, left, right in scored:
        fl, fr = fact_of.get(left), fact_of.get(right)
        if fl is None and fr is None:
            new = len(members)
            members[new] = {left[0]: left[1], right[0]: right[1]}
            best[new] = -negative
            fact_of[left] = fact_of[right] = new
        elif fl is not None and fr is None:
            if right[0] not in members[fl]:
                members[fl][right[0]] = right[1]
                fact_of[right] = fl
        elif fl is None and fr is not None:
            if left[0] not in members[fr]:
                members[fr][left[0]] = left[1]
                fact_of[left] = fr
        elif (
            fl is not None
            and fr is not None
            and fl != fr
            and not members[fl].keys() & members[fr].keys()
        ):
            for article, index in members.pop(fr).items():
                members[fl][article] = index
                fact_of[(article, index)] = fl
            best[fl] = max(best[fl], best.pop(fr))
    groups = [(group, best[fact]) for fact, group in members.items()]
    for article, sentences in enumerate(per_article):
        for sentence in sentences:
            if (article, sentence.ref.index) not in fact_of:
                groups.append(({article: sentence.ref.index}, 0.0))

    def position(item: tuple[dict[int, int], float]) -> tuple[float, int, int]:
        group = item[0]
        return min(
            (index / len(per_article[article]), article, index) for article, index in group.items()
        )

    groups.sort(key=position)
    facts = []
    for number, (group, score) in enumerate(groups, start=1):
        refs = {ids[article]: per_article[article][group[article]].ref for article in sorted(group)}
        if outlets is None:
            count = len(refs)
        else:
            count = len({outlets.get(article_id, str(article_id)) for article_id in refs})
        facts.append(Fact(number, refs, count, score))
    return Alignment(ids, {ids[i]: per_article[i] for i in range(len(ids))}, facts)


# --------------------------------------------------------------------------------------
# Word diff
# --------------------------------------------------------------------------------------


def _range(tokens: Sequence[Token], first: int, last: int) -> tuple[int, int]:
    """Character range of tokens[first:last]; an empty range sits after tokens[first - 1]."""
    if first < last:
        return tokens[first].start, tokens[last - 1].end
    if first > 0:
        return tokens[first - 1].end, tokens[first - 1].end
    return (tokens[0].start, tokens[0].start) if tokens else (0, 0)


def word_diff(a_text: str, b_text: str) -> list[DiffOp]:
    """Word-level diff of two sentences on search keys, with character offsets into each."""
    a_tokens = tokenize(a_text)
    b_tokens = tokenize(b_text)
    matcher = difflib.SequenceMatcher(
        None,
        [search_key(t.key) for t in a_tokens],
        [search_key(t.key) for t in b_tokens],
        autojunk=False,
    )
    ops = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a_start, a_end = _range(a_tokens, i1, i2)
        b_start, b_end = _range(b_tokens, j1, j2)
        ops.append(
            DiffOp(
                tag,
                a_start,
                a_end,
                b_start,
                b_end,
                a_text[a_start:a_end],
                b_text[b_start:b_end],
                i2 - i1,
                j2 - j1,
            )
        )
    return ops


def substitution_candidates(
    facts: Iterable[Fact], *, max_words: int = MAX_SUBSTITUTION_WORDS
) -> list[Substitution]:
    """Short replace ops between every two articles of every shared fact, in fact order."""
    out = []
    for fact in facts:
        for (a_id, a_ref), (b_id, b_ref) in combinations(fact.sentences.items(), 2):
            for op in word_diff(a_ref.text, b_ref.text):
                if op.kind != "replace":
                    continue
                if not (1 <= op.a_words <= max_words and 1 <= op.b_words <= max_words):
                    continue
                if not (
                    any(c.isalpha() for c in op.a_text) and any(c.isalpha() for c in op.b_text)
                ):
                    continue
                out.append(
                    Substitution(
                        fact.id,
                        a_id,
                        b_id,
                        a_ref.start + op.a_start,
                        a_ref.start + op.a_end,
                        b_ref.start + op.b_start,
                        b_ref.start + op.b_end,
                        op.a_text,
                        op.b_text,
                    )
                )
    return out
