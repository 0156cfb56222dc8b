"""Find framing labels in an article: who is named how, in whose voice, where.

Pure and typed (no Django). ``compile_lexicon(lexicon)`` builds a ``Matcher`` once (a
dict-trie over token keys; cached per lexicon); ``find_labels(matcher, text)`` returns
``Finding``s whose ``start``/``end`` are character offsets into ``text`` as given (the
stored, displayed text), so ``text[f.start:f.end] == f.matched_text`` always.

Matching rules
1. **Token keys from the one normaliser.** Text and lexicon go through
   ``articles.normalization`` (clitics و ف ب ك ل ال لل and detached لـ"قسد", alef/hamza,
   ya, ta marbuta, diacritics, tatweel, bidi and joiner controls), so "لميليشيا أسد",
   "لِمِيلِيشْيَا أَسَد" and "لميليـشيا أسد" all match "ميليشيا أسد". Spelling variants that
   the normaliser does not fold (ميليشيا/مليشيا/ميلشيا) are listed in the lexicon.
2. **Tokens of a label are adjacent**: only spaces, quotation marks, tatweel and bidi
   controls may stand between them (ميليشيا "قسد" is one label), never a comma, a full
   stop or a line break.
3. **Longest match first, left to right, no overlaps**: "الجيش السوري الحر" (Free Syrian
   Army) is never "الجيش السوري"; "الجيش الوطني السوري" is the SNA, not the government.
   At one span a literal label wins over a pattern expansion (its valence was set by hand).
   A label whose date range excludes the article's date (``published``) is skipped.
4. **Patterns** are expanded into the trie at compile time (``comparisons/lexicon.py``:
   ميليشيا + name, الاحتلال + nationality adjective, noun + الموالية لـ/التابعة لـ/
   المدعومة من + patron, مرتزقة + patron, name + الإرهابي), so matching stays one trie walk.
5. **One noun, two actors.** After a pattern whose last slot is coordinable (nationality
   adjectives), each following "و + adjective" yields a finding of its own on that word:
   "الميليشيات الروسية والإيرانية" gives russia ("الميليشيات الروسية") and iran
   ("والإيرانية", label "الميليشيات الإيرانية"). Only adjectives: "ميليشيات الأسد وقسد" is
   ambiguous in Arabic (Assad's militias, and the SDF), so names are not distributed.
6. **Suffix and antecedent rules.** "X ومرتزقته" adds a finding on "ومرتزقته" for the
   client of X's actor (the SNA for Turkey). A proxy phrase with a pronoun patron
   ("الفصائل الموالية له") takes the client of an actor named just before it with و
   ("الجيش التركي والفصائل الموالية له" -> sna); otherwise it stays a ``proxy`` term.

Voice rules (``voice`` is "own", "quoted" or "attributed"; ``cue`` says why)
- **Quoted**: the finding starts inside quotation marks of any style (" “ ” „ ‟ « » ‹ ›
  ' ‘ ’ ‚ ‛ ﴾ ﴿). Marks are paired by family; whether a mark opens or closes is read from
  its neighbours (space before and a letter after opens), because Arabic text uses “ ”
  and « » in either order. A quote never crosses a blank line; one still open at the end
  of its paragraph runs to that end (multi-paragraph quotations open every paragraph and
  close only the last); a stray closing mark is ignored. An apostrophe between two
  letters (Ba'ath) is not a quotation mark.
- **A quote holding nothing but actor names is house style, not speech** (primer:
  "Quotation marks around a group name alone are weak evidence"): ميليشيا "قسد",
  و"الأسايش" are own voice. A quote around a loaded term alone (منظمة "إرهابية") is a
  scare quote and counts as quoted.
- **Attributed**: the lexicon's attribution markers govern the first actor label after
  them ("لما أسمته الوكالة للجيش العربي السوري", "ما يسمى «الجيش الوطني»") or the last
  one before them ("... على حد زعمه", "X المزعوم") within the marker's token window and
  the same sentence (no . ! ? ؛ or line break between). Coordinated siblings (rule 5)
  share the voice. The marker is itself a finding (term group ``attribution``) and takes
  the governed label's actor, so "ما يسمى" counts as distancing *of that actor*.
  A bare "بحسب X" is not a marker: it names a source in the outlet's own words
  ("بحسب مسؤول "قسد""); only "بحسب تعبير/وصف/تسمية" are.
- Quoted wins over attributed, attributed over own.

Performance: one pass of a word regex splits the text into words and separators (offsets
by ``itertools.accumulate``), keys come from an lru-cached ``token_key``, and the trie walk
touches each token once. Texts with a tatweel at a word's edge or an underscore take the exact
``articles.normalization.tokenize`` path instead (detached proclitics and obfuscated words
need it; a kashida inside a word does not); both paths give the same tokens (tested).
No per-label regex scans.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import accumulate, compress, product
from typing import Any, Literal, NamedTuple

from articles.normalization import TATWEEL, normalize, token_key, token_keys, tokenize
from comparisons.lexicon import (
    MAX_VALENCE,
    MIN_VALENCE,
    Label,
    Lexicon,
    LexiconError,
    Slot,
    SlotFiller,
    default_lexicon,
)

__all__ = [
    "Finding",
    "Matcher",
    "Voice",
    "compile_lexicon",
    "default_matcher",
    "find_labels",
    "label_key",
]

Voice = Literal["own", "quoted", "attributed"]

_END = ""  # trie key of a terminal entry (no token key is empty)

# Quotation marks by family: a quote closes with a mark of the family that opened it.
_QUOTE_FAMILY = {
    '"': 0, "\u201c": 0, "\u201d": 0, "\u201e": 0, "\u201f": 0,
    "\u00ab": 1, "\u00bb": 1,
    "\u2039": 2, "\u203a": 2,
    "\ufd3e": 3, "\ufd3f": 3,
    "'": 4, "\u2018": 4, "\u2019": 4, "\u201a": 4, "\u201b": 4,
}  # fmt: skip
_QUOTE_RE = re.compile("[" + re.escape("".join(_QUOTE_FAMILY)) + "]")
_PARAGRAPH_RE = re.compile(r"\n[ \t\u00a0]*\n")
# Before an opening mark: nothing, a space, an opening bracket or a detached proclitic.
_OPEN_CONTEXT = " \t\n\u00a0([" + TATWEEL
# After a closing mark: nothing, a space or punctuation.
_CLOSE_CONTEXT = " \t\n\u00a0.,:;!?)]\u060c\u061b\u061f\u2026-"
_SENTENCE_BREAK_RE = re.compile("[.!?\n;\u061b\u061f\u2026]")

_CONTROLS = "\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\u2060\ufeff\u00ad"
_DIACRITICS = "\u064b-\u065f\u0670\u0610-\u061a\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed\u08d3-\u08e1\u08e3-\u08ff"
# Rule 2: what may separate the tokens of one label.
_GAP_RE = re.compile(
    "[ \t\u00a0\u202f" + _CONTROLS + TATWEEL + re.escape("".join(_QUOTE_FAMILY)) + "]*"
)
# A word of the original text: starts with a letter or digit, may hold diacritics and
# controls (deleted by the normaliser), never ends with a control. Same boundaries as
# tokenize() on text without tatweel and underscore.
# A tatweel at a word's edge: a detached proclitic (لـ "قسد") or an obfuscated word
# (قـ.ـتل). A tatweel between two letters (kashida) is part of the word on both paths.
_PLAIN_WORD_SPLIT_RE = re.compile("([^\\W_]+)")
_MARKS_RE = re.compile(f"[{_DIACRITICS}{_CONTROLS}]")
_CONTROLS_RE = re.compile(f"[{_CONTROLS}]")
# With diacritics but no tatweel or controls, a word is a letter followed by letters, digits
# and diacritics: the same boundaries tokenize() finds on the text without its diacritics.
_MARKED_WORD_SPLIT_RE = re.compile(f"([^\\W_][\\w{_DIACRITICS}]*)")
_FIRST_TOKEN_TRIM_RE = re.compile("[\\s\"'()\\[\\]" + re.escape("".join(_QUOTE_FAMILY)) + "]")


class Finding(NamedTuple):
    """One label or loaded term in a text (a NamedTuple: immutable and cheap to create)."""

    actor_id: str | None
    term_group: str | None
    label: str  # canonical surface of the lexicon label
    matched_text: str  # text[start:end]
    valence: int
    start: int
    end: int
    voice: Voice
    cue: str = ""  # the quotation mark or attribution phrase behind a non-own voice


@dataclass(eq=False, slots=True)
class _Entry:
    label: str
    actor_id: str | None
    term_group: str | None
    valence: int
    literal: bool
    scope: str | None = None
    window: int = 0
    date_from: date | None = None
    date_to: date | None = None
    needs_antecedent: bool = False
    pattern: str = ""
    siblings: dict[str, _Entry] | None = None  # rule 5: sibling adjective key -> entry


@dataclass(frozen=True, slots=True, eq=False)
class Matcher:
    name: str
    version: str
    trie: dict[str, Any]
    suffixes: dict[str, tuple[str, int, str, str | None]]  # key -> surface, valence, group...
    clients: dict[str, str | None]


# --------------------------------------------------------------------------------------
# Compiling
# --------------------------------------------------------------------------------------


def label_key(surface: str) -> tuple[str, ...]:
    """Token keys of a label: two surfaces with the same key are the same wording."""
    return tuple(token_keys(surface))


_CONJUNCTION = "&"  # prefix of a non-first path key whose word carries و or ف


@lru_cache(maxsize=50_000)
def _conjunct_key(word: str) -> str:
    """The key of ``word``, prefixed with ``_CONJUNCTION`` when a conjunction was stripped.

    Inside a label a conjunction is part of the wording: "الإدارة الذاتية لشمال وشرق
    سوريا" has one, "ميليشيا الجيش الوطني" has none, so "الميليشيا والجيش الوطني" (the
    militia and the National Army) must not match it.
    """
    key = token_key(word)
    written = normalize(word)
    written = "".join(ch for ch in written if ch.isalnum())
    prefix = written[: len(written) - len(key)] if written.endswith(key) else ""
    return _CONJUNCTION + key if prefix[:1] in ("و", "ف") and prefix else key


def _path_keys(form: str, *, first_plain: bool = True) -> tuple[str, ...]:
    """Trie path of a lexicon form: later keys conjunction-marked, the first one plain
    (a label's first word takes any proclitic: "وميليشيا أسد")."""
    keys = tuple(_conjunct_key(t.text) for t in tokenize(form))
    return (_plain(keys[0]), *keys[1:]) if keys and first_plain else keys


def _plain(key: str) -> str:
    return key.removeprefix(_CONJUNCTION)


def _clamp(value: int) -> int:
    return max(MIN_VALENCE, min(MAX_VALENCE, value))


def _join(left: str, right: str) -> str:
    """Write adjacent fillers: a left filler ending in a detached proclitic attaches
    ("الموالية لـ" + "تركيا" -> "الموالية لتركيا"), any other is followed by a space
    ("المدعومة من" + "تركيا", "المدعومة" + "أمريكيا")."""
    if not left:
        return right
    if left.endswith(TATWEEL):
        return left.removesuffix(TATWEEL) + right
    return f"{left} {right}"


def _template_groups(template: str) -> list[list[str]]:
    """ "{a} {b}{c}" -> [["a"], ["b", "c"]]: space-separated groups of adjacent slots."""
    groups: list[list[str]] = []
    for chunk in template.split():
        names = re.findall(r"\{([^}]+)\}", chunk)
        if not names or re.sub(r"\{[^}]+\}", "", chunk):
            raise LexiconError(f"pattern {template!r}: literal text must be a slot")
        groups.append(names)
    return groups


def _insert(trie: dict[str, Any], keys: tuple[str, ...], entry: _Entry) -> None:
    if not keys:
        return
    node = trie
    for key in keys:
        node = node.setdefault(key, {})
    current: _Entry | None = node.get(_END)
    if current is None or (entry.literal and not current.literal):
        node[_END] = entry
        return
    if current.literal and not entry.literal and current.actor_id == entry.actor_id:
        # A literal spelling out a pattern still distributes over "و + adjective"
        # ("قوات الاحتلال الروسي والإيراني").
        current.siblings = current.siblings or entry.siblings
        return
    if (
        entry.literal
        and current.literal
        and (
            (current.actor_id, current.term_group, current.valence)
            != (entry.actor_id, entry.term_group, entry.valence)
        )
    ):
        raise LexiconError(
            f"labels {current.label!r} and {entry.label!r} have the same words "
            "but different actors, term groups or valences"
        )


def _lookup(trie: dict[str, Any], keys: tuple[str, ...]) -> _Entry | None:
    node: dict[str, Any] | None = trie
    for key in keys:
        node = node.get(key) if node is not None else None
    return node.get(_END) if node is not None else None


@dataclass(frozen=True, slots=True)
class _Option:
    keys: tuple[str, ...]
    canonical: str
    fillers: tuple[tuple[Slot, SlotFiller], ...]


def _group_options(slots: list[Slot]) -> list[_Option]:
    """Every way of writing a group of adjacent slots, with its keys and canonical text."""
    options: list[_Option] = []
    per_slot = [[(slot, filler, form) for filler in slot.fillers
                 for form in (filler.surface, *filler.variants)] for slot in slots]  # fmt: skip
    for combo in product(*per_slot):
        written = canonical = ""
        for _, filler, form in combo:
            written = _join(written, form)
            canonical = _join(canonical, filler.surface)
        keys = _path_keys(written, first_plain=False)
        options.append(_Option(keys, canonical, tuple((s, f) for s, f, _ in combo)))
    return options


def _pattern_entry(
    label: Label, fillers: list[tuple[Slot, SlotFiller]], canonical: str, lexicon: Lexicon
) -> _Entry:
    clients = {a.id: a.client for a in lexicon.actors}
    actor = label.actor_id
    patron_slot = False
    for slot, filler in fillers:
        if actor is None and slot.role == "actor":
            actor = filler.actor_id
    for slot, filler in fillers:
        if actor is None and slot.role == "patron":
            patron_slot = True
            if filler.actor_id is not None:
                actor = clients.get(filler.actor_id)
    valence = _clamp(label.valence + sum(f.valence for _, f in fillers))
    return _Entry(
        label=canonical,
        actor_id=actor,
        term_group=label.term_group if actor is None else None,
        valence=valence,
        literal=False,
        date_from=label.date_from,
        date_to=label.date_to,
        needs_antecedent=patron_slot and actor is None,
        pattern=label.surface,
    )


@lru_cache(maxsize=8)
def compile_lexicon(lexicon: Lexicon) -> Matcher:
    """Compile ``lexicon`` into a trie over token keys (cached per lexicon value)."""
    trie: dict[str, Any] = {}
    sibling_groups: list[tuple[tuple[str, ...], dict[str, _Entry]]] = []
    suffixes: dict[str, tuple[str, int, str, str | None]] = {}
    slots = {slot.name: slot for slot in lexicon.slots}

    for label in lexicon.labels:
        if label.kind == "literal":
            entry = _Entry(
                label=label.surface,
                actor_id=label.actor_id,
                term_group=label.term_group,
                valence=label.valence,
                literal=True,
                scope=label.scope,
                window=label.window,
                date_from=label.date_from,
                date_to=label.date_to,
            )
            for form in (label.surface, *label.variants):
                _insert(trie, _path_keys(form), entry)
            continue
        groups = _template_groups(label.surface)
        if groups[0] == ["label"]:
            # "{label} {slot}": a one-word suffix after any actor label ("ومرتزقته").
            if len(groups) != 2 or len(groups[1]) != 1:
                raise LexiconError(f"pattern {label.surface!r}: one suffix slot expected")
            slot = slots[groups[1][0]]
            for option in _group_options([slot]):
                if len(option.keys) == 1:
                    valence = _clamp(label.valence + option.fillers[0][1].valence)
                    suffixes[_plain(option.keys[0])] = (
                        option.canonical,
                        valence,
                        label.surface,
                        label.term_group,
                    )
            continue
        group_options = [_group_options([slots[name] for name in group]) for group in groups]
        last_coordinable = len(groups[-1]) == 1 and slots[groups[-1][0]].coordinable
        by_prefix: dict[tuple[str, ...], dict[str, _Entry]] = {}
        for combo in product(*group_options):
            keys = tuple(k for option in combo for k in option.keys)
            keys = (_plain(keys[0]), *keys[1:])
            canonical = " ".join(option.canonical for option in combo)
            fillers = [pair for option in combo for pair in option.fillers]
            entry = _pattern_entry(label, fillers, canonical, lexicon)
            if last_coordinable and len(combo[-1].keys) == 1 and entry.actor_id is not None:
                siblings = by_prefix.setdefault(keys[:-1], {})
                siblings.setdefault(_plain(keys[-1]), entry)
                entry.siblings = siblings
            _insert(trie, keys, entry)
        sibling_groups.extend(by_prefix.items())

    # A sibling spelled out as a literal label takes the literal's valence and wording.
    for prefix, siblings in sibling_groups:
        for key, sibling in list(siblings.items()):
            literal = _lookup(trie, (*prefix, _CONJUNCTION + key)) or _lookup(trie, (*prefix, key))
            if literal is not None and literal.literal and literal.actor_id == sibling.actor_id:
                siblings[key] = literal
    return Matcher(
        name=lexicon.name,
        version=lexicon.version,
        trie=trie,
        suffixes=suffixes,
        clients={a.id: a.client for a in lexicon.actors},
    )


def default_matcher() -> Matcher:
    """The compiled default lexicon (compiled once per process)."""
    return compile_lexicon(default_lexicon())


# --------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------


class _KeyCache(dict[str, str]):
    """Word -> token key, filled on first sight. ``map(cache.__getitem__, words)`` runs at C
    speed and calls ``__missing__`` only for new words (an lru_cache call per word costs
    more than the rest of the matching). Cleared when large: news vocabulary is open."""

    limit = 300_000

    def __missing__(self, word: str) -> str:
        if len(self) > self.limit:
            self.clear()
        # No token key is empty; "\x00" keeps a word out of the trie if one ever were.
        key = self[word] = token_key(word) or "\x00"
        return key


_KEYS = _KeyCache()


@lru_cache(maxsize=4096)
def _gap_ok(separator: str) -> bool:
    return _GAP_RE.fullmatch(separator) is not None


@dataclass(slots=True)
class _Tokens:
    words: list[str]
    keys: list[str]
    starts: list[int]
    ends: list[int]
    separators: list[str]  # separators[i] stands before token i; one more at the end


def _tokens(text: str) -> _Tokens:
    # A tatweel may detach a proclitic ("لـ"قسد"", "لـYPG"), which only the full tokeniser
    # reads the way every other module does.
    # Likewise for invisible controls: where a mark after a control belongs is the tokeniser's
    # rule, and the offsets must agree with it to the character.
    if "_" in text or TATWEEL in text or _CONTROLS_RE.search(text):
        tokens = tokenize(text)
        starts = [t.start for t in tokens]
        ends = [t.end for t in tokens]
        separators = [text[a:b] for a, b in zip([0, *ends], [*starts, len(text)], strict=True)]
        return _Tokens([t.text for t in tokens], [t.key for t in tokens], starts, ends, separators)
    # Most news text has no diacritics or controls: a plain word class splits it faster.
    split_re = _MARKED_WORD_SPLIT_RE if _MARKS_RE.search(text) else _PLAIN_WORD_SPLIT_RE
    parts = split_re.split(text)
    offsets = list(accumulate(map(len, parts), initial=0))
    words = parts[1::2]
    keys = list(map(_KEYS.__getitem__, words))
    return _Tokens(words, keys, offsets[1:-1:2], offsets[2::2], parts[0::2])


# --------------------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Match:
    entry: _Entry
    first: int  # token index, inclusive
    last: int  # token index, exclusive
    actor_id: str | None
    term_group: str | None
    label: str
    valence: int
    group: int  # coordinated siblings share a group number
    voice: Voice = "own"
    cue: str = ""


def _in_range(entry: _Entry, published: date | None) -> bool:
    if published is None:
        return True
    if entry.date_from is not None and published < entry.date_from:
        return False
    return not (entry.date_to is not None and published > entry.date_to)


def _match_tokens(matcher: Matcher, tokens: _Tokens, published: date | None) -> list[_Match]:
    trie = matcher.trie
    keys = tokens.keys
    separators = tokens.separators
    words = tokens.words
    count = len(keys)
    matches: list[_Match] = []
    # Token positions whose key starts some label, found at C speed; the walk visits only
    # those (a few dozen in a 5,000-character article).
    candidates = compress(range(count), map(trie.__contains__, keys))
    i = 0
    for position in candidates:
        if position < i:
            continue  # inside the previous match
        i = position
        node = trie[keys[i]]
        best: _Entry | None = None
        best_end = i
        j = i
        while True:
            entry = node.get(_END)
            if entry is not None and _in_range(entry, published):
                best, best_end = entry, j + 1
            if j + 1 >= count or not _gap_ok(separators[j + 1]):
                break
            word = words[j + 1]
            node = node.get(_conjunct_key(word) if word[0] in "وف" else keys[j + 1])
            if node is None:
                break
            j += 1
        if best is None:
            continue
        group = len(matches)
        current = _Match(best, i, best_end, best.actor_id, best.term_group, best.label,
                         best.valence, group)  # fmt: skip
        if best.needs_antecedent and matches:
            previous = matches[-1]
            if (
                previous.last == i
                and previous.actor_id is not None
                and words[i].startswith("و")
                and _gap_ok(separators[i])
            ):
                current.actor_id = matcher.clients.get(previous.actor_id)
                if current.actor_id is not None:
                    current.term_group = None
        matches.append(current)
        i = best_end
        # Rule 5: "و + adjective" siblings of a coordinable pattern.
        siblings = best.siblings
        while (
            siblings is not None
            and i < count
            and keys[i] in siblings
            and words[i].startswith("و")
            and _gap_ok(separators[i])
        ):
            sibling = siblings[keys[i]]
            matches.append(_Match(sibling, i, i + 1, sibling.actor_id, sibling.term_group,
                                  sibling.label, sibling.valence, group))  # fmt: skip
            i += 1
        # Rule 6: "X ومرتزقته".
        if (
            current.actor_id is not None
            and current.entry.scope is None
            and i < count
            and keys[i] in matcher.suffixes
            and _gap_ok(separators[i])
        ):
            suffix, valence, _, term_group = matcher.suffixes[keys[i]]
            client = matcher.clients.get(current.actor_id)
            matches.append(
                _Match(
                    current.entry,
                    i,
                    i + 1,
                    client,
                    None if client is not None else term_group,
                    f"{current.label} {suffix}",
                    valence,
                    len(matches),
                )
            )
            i += 1
    return matches


def _quotes(text: str) -> list[tuple[int, int, str]]:
    """Quoted stretches as (content start, content end, opening mark)."""
    spans: list[tuple[int, int, str]] = []
    paragraph_ends = [m.start() for m in _PARAGRAPH_RE.finditer(text)] + [len(text)]
    stack: list[tuple[int, int, str]] = []  # family, content start, mark
    paragraph = 0
    for match in _QUOTE_RE.finditer(text):
        position = match.start()
        while position >= paragraph_ends[paragraph]:
            end = paragraph_ends[paragraph]
            spans.extend((start, end, mark) for _, start, mark in stack)
            stack.clear()
            paragraph += 1
        mark = match.group()
        family = _QUOTE_FAMILY[mark]
        before = text[position - 1] if position > 0 else " "
        after = text[position + 1] if position + 1 < len(text) else " "
        if family == 4 and before.isalpha() and after.isalpha():
            continue  # an apostrophe inside a word
        opens_only = before in _OPEN_CONTEXT and after not in _CLOSE_CONTEXT
        closes_only = before not in _OPEN_CONTEXT and after in _CLOSE_CONTEXT
        open_index = -1
        for k in range(len(stack) - 1, -1, -1):
            if stack[k][0] == family:
                open_index = k
                break
        if open_index >= 0 and not opens_only:
            _, start, opening = stack[open_index]
            spans.append((start, position, opening))
            del stack[open_index:]
        elif not closes_only and after not in "\n":
            stack.append((family, position + 1, mark))
    end = paragraph_ends[min(paragraph, len(paragraph_ends) - 1)]
    spans.extend((start, end, mark) for _, start, mark in stack)
    return spans


def _sentence_break(separators: list[str], first: int, last: int) -> bool:
    """Is there a sentence break in the separators before tokens first..last?"""
    return any(_SENTENCE_BREAK_RE.search(separators[k]) for k in range(first, last + 1))


def _assign_voices(text: str, tokens: _Tokens, matches: list[_Match]) -> None:
    covered = bytearray(len(tokens.keys))
    for match in matches:
        if match.actor_id is not None and match.entry.scope is None:
            for k in range(match.first, match.last):
                covered[k] = 1
    starts = tokens.starts
    speech: list[tuple[int, int, str]] = []
    for start, end, mark in _quotes(text):
        first, last = bisect_left(starts, start), bisect_left(starts, end)
        if first < last and not all(covered[first:last]):
            speech.append((start, end, mark))

    actors = [m for m in matches if m.actor_id is not None and m.entry.scope is None]
    for marker in matches:
        entry = marker.entry
        if entry.scope is None:
            continue
        governed: _Match | None = None
        if entry.scope in ("after", "both"):
            for candidate in actors:
                gap = candidate.first - marker.last
                if 0 <= gap <= entry.window and not _sentence_break(
                    tokens.separators, marker.last, candidate.first
                ):
                    governed = candidate
                    break
        if governed is None and entry.scope in ("before", "both"):
            for candidate in reversed(actors):
                gap = marker.first - candidate.last
                if 0 <= gap <= entry.window and not _sentence_break(
                    tokens.separators, candidate.last, marker.first
                ):
                    governed = candidate
                    break
        if governed is None:
            continue
        if marker.actor_id is None:
            marker.actor_id = governed.actor_id
        cue = text[starts[marker.first] : tokens.ends[marker.last - 1]]
        for match in actors:
            if match.group == governed.group:
                match.voice, match.cue = "attributed", cue

    for match in matches:
        position = _start_of(tokens, match.first)
        for start, end, mark in speech:
            if start <= position < end:
                match.voice, match.cue = "quoted", mark
                break


def _start_of(tokens: _Tokens, index: int) -> int:
    """Start of token ``index``, after a detached proclitic's quote (لـ"قسد" -> قسد)."""
    start = tokens.starts[index]
    word = tokens.words[index]
    if TATWEEL in word:
        trims = list(_FIRST_TOKEN_TRIM_RE.finditer(word))
        if trims:
            return start + trims[-1].end()
    return start


def find_labels(matcher: Matcher, text: str, *, published: date | None = None) -> list[Finding]:
    """Labels and loaded terms in ``text``, in order, with voice and exact offsets."""
    tokens = _tokens(text)
    matches = _match_tokens(matcher, tokens, published)
    if not matches:
        return []
    _assign_voices(text, tokens, matches)
    findings: list[Finding] = []
    for match in matches:
        start = _start_of(tokens, match.first)
        end = tokens.ends[match.last - 1]
        findings.append(
            Finding(
                actor_id=match.actor_id,
                term_group=match.term_group,
                label=match.label,
                matched_text=text[start:end],
                valence=match.valence,
                start=start,
                end=end,
                voice=match.voice,
                cue=match.cue,
            )
        )
    return findings
