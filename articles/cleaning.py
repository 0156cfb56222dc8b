"""Remove page chrome (navigation, banners, comments, related lists) from saved news pages.

Pure functions, no Django. The original page is stored elsewhere; this only derives the
analysable title and body. Every rule is general (no per-site or per-file cases):

1. **Lines and segments.** The text is split into lines, and each line into sentence-like
   segments at ``. ! ? ؟`` followed by a space (scraped pages often put a whole page on
   one line, and tokenised corpora write ``word .``, so segmenting inside a line is needed
   to find an article that starts half-way through a line of menus). A tokenised ellipsis
   (``سوريا . . إجلاء ...``, the usual way Arabic headlines join two clauses) is not a
   sentence end, so a headline stays one piece and can be recognised when printed twice.
2. **Chrome lexicons** (Arabic and English). *Strong* markers are unambiguous page
   furniture (``حجم الخط``, ``تاريخ النشر``, ``|`` separators, clock times, ``Skip to
   content``, ``Search this site``...): they mark a sentence as chrome and may be cut at.
   *Dates* are cut points in a header but not chrome alone (lead sentences carry dates);
   two in one sentence are. Breadcrumbs (``أنت هنا``), ad-blocker notices (``شكرا
   لتفهمك``), template residue (``} }``), a byline closed by a colon (``كتبت - فلانة :``)
   and Hijri dates (``1439 / 1 / 28 ه``) are strong markers too. *Phrases* that prose also uses (``مواقع التواصل الاجتماعي``,
   ``اشترك``) and *menu words* (``بحث``, ``القائمة``, ``عاجل``, ``شارك``) stop a sentence
   from counting as clean prose but never cut text, except a menu word opening a segment.
   A cut is refused when what follows reads as the rest of a sentence (``من``, ``على``,
   a comma or closing bracket) or has fewer than 8 words.
3. **Title.** A known title (metadata) wins. Otherwise, in a text page, the first line of
   3-30 words that carries no chrome and does not end with a full stop (headlines do not;
   lead paragraphs do). Lines equal to the title at the top are dropped (pages repeat the
   headline). When the headline is fused into a line of chrome, the best candidate is a
   word run repeated in the prefix (headline printed twice), else the chunk before a
   ``|`` or `` - `` site-name separator. A short run (under 8 tokens) whose first copy
   runs on into other words and whose later copy sits after a word is a phrase of the
   headline quoted in the lead, not a second copy: cutting after it would cut the lead.
4. **Body start.** The first segment that, after cutting any in-line chrome prefix (the
   text up to the last strong marker or the end of a repeated headline run), is prose:
   at least 8 words, no chrome, ending a sentence or at least 20 words long, followed by
   more prose (or long enough, 25+ words, to stand alone). A two-sentence run is required
   because short menu fragments and banners often end with a full stop. Further:

   - a candidate without a full stop (accepted for its length) must be followed by prose:
     otherwise it is a list of linked headlines, which never end with full stops;
   - a candidate that ends with the whole of the next sentence is a site name or headline
     plus a summary that the page prints again: the start moves to the next sentence;
   - when the next sentence's first 8 tokens recur a few words into the candidate, what
     precedes them is a headline glued to a summary, and is dropped;
   - a photo caption is dropped: a sentence ending with a picture credit (``( رويترز )``,
     ``- أرشيفية``, ``( غيتي )``...) when prose follows, or at least four words then such
     a credit before the lead. A dateline keeps its credit (``دمشق ( وكالات ) أعلنت``:
     fewer than four words before it), and a credit followed by ``:`` or ``-`` is one.

   What counts as a clean start (see ``bench/cleaning_report.py``): the article's own
   first words. A dateline glued to the lead (``بيروت - رويترز :``) is kept, being part
   of the article as printed; a site name, caption, date or headline before it is chrome.
   A site name alone (``إرم نيوز قال ...``) cannot be told from a lead's first words
   without knowing the outlet, so it is not removed.
5. **Tail.** A short line (at most 6 words) that *starts* with a section header
   (comments, most read, related, read also as a list header, copyright, tags) ends the
   article. A mid-body sentence that merely mentions ``التعليقات`` is not a header and is
   kept. Short chrome lines inside the body (share, follow us, "read also" plus the linked
   headline) are dropped. Trailing chrome lines and short fragments without a full stop are
   trimmed (a sentence is never dropped for a menu word alone), and on the last line an
   in-line tail marker (``جميع الحقوق محفوظة``, ``اشترك``, ``مواضيع ذات صلة``...) cuts the
   rest of the line when at least 6 words of prose precede it.

Thresholds come from reading the seeds pages and the 343 baly-dev pages; the
``bench/cleaning_report.py`` script measures the result. All regexes are linear (no nested
quantifiers), and clean_text takes about a millisecond on a 5,000-character page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["CleanedArticle", "clean_html", "clean_text"]


@dataclass(frozen=True, slots=True)
class CleanedArticle:
    title: str  # "" when none found
    body: str  # cleaned body text, paragraphs separated by "\n\n"
    byline: str = ""
    published: str | None = None  # ISO date string if found (HTML metadata), else None
    removed: tuple[str, ...] = ()  # short descriptions of what was removed (provenance)


# --- lexicons -------------------------------------------------------------------------

_WEEKDAYS = "الأحد|الاحد|الاثنين|الإثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة|السبت"
_MONTHS = (
    "يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|"
    "نوفمبر|ديسمبر|دجنبر|جانفي|كانون الثاني|كانون الأول|شباط|آذار|نيسان|أيار|حزيران|تموز|"
    "آب|أيلول|تشرين الأول|تشرين الثاني|January|February|March|April|May|June|July|August|"
    "September|October|November|December"
)

# Unambiguous page furniture: safe to cut at (text before the last one is dropped).
_STRONG = [
    r"\|",
    r"/ /",
    r"/ (?:أخبار|الأخبار|سياسة|اقتصاد|رياضة|ثقافة|منوعات|عربي|دولي|عربيات|محليات|تقارير|مقالات|رأي)",
    r", ,",
    r"ع ع ع(?!\w)",
    r"A A A\b",
    r"& ?nbsp",
    r"ذات صلة",
    r"المحتوى الرئيس[يى]",
    r"رقم العدد",
    r"العدد : \d",
    r"\d{4} ه(?!\w)",
    r"مشاهد(?:ة|ات) \d+",
    r"> >",
    r">>",
    r"حجم الخط",
    r"تاريخ النشر",
    r"آخر تحديث",
    r"اخر تحديث",
    r"تحديث الموقع",
    r"كلمات (?:مفتاحية|دالة|دال ة|دلالية)",
    r"الكلمات الدلالية",
    r"الوسوم",
    r"بتوقيت \w+",
    r"\( مكة المكرمة \)",
    r"[إا]قرأ (?:أيضا|أيضاً|ايضا|ايضاً|المزيد)",
    r"في كل القنوات",
    r"تسجيل الدخول",
    r"اسم المستخدم",
    r"كلمة (?:السر|المرور)",
    r"نشرتنا",
    r"قائمتنا البريدية",
    r"شارك (?:هذا|الخبر|المقال|بتقييم)",
    r"مشاركة في :",
    r"بواسطة :",
    r"\d+ مشاهد(?:ة|ات)",
    r"المشاهدات : \d",
    r"الزيارات : \d",
    r"القائمة الرئيسية",
    r"الصفحة الرئيسية",
    r"المحتوى الرئيسي",
    r"شريط التصفح",
    r"تخطي",
    r"الأكثر (?:قراءة|مشاهدة|تعليقا|مشاركة|مناقشة)",
    r"(?:أخبار|مواضيع|مقالات|روابط|عناوين|فيديوهات|مواد) (?:ذات صلة|متعلقة)",
    r"جميع (?:الحقوق|حقوق)",
    r"حقوق (?:النشر|الطبع)",
    r"أهم (?:المواضيع|التصنيفات|الأخبار|العناوين)",
    r"أحدث الأخبار",
    r"احدث الاخبار",
    r"أحدث المقالات",
    r"اختر المدينة",
    r"مانع الإعلانات",
    r"Untitled Document",
    r"\{ \{",
    r"\} \}",
    r"أنت هنا",
    r"انت هنا",
    r"الذهاب (?:إلى|الى|الي)",
    r"اسم المرسل",
    r"الأخبار العاجلة",
    r"AD ?[Bb]lock",
    r"You are here",
    r"Tag Archives",
    r"Article content",
    r"شكرا لتفهم(?:ك|كم)",
    # a byline closed by a colon: "كتبت - سلمى أحمد :", "بقلم : سامر الحلبي :"
    r"(?:كتب|كتبت|بقلم|إعداد) ?[-:] ?[^\W\d_]+(?: [^\W\d_]+){0,2} ?:",
    r"Skip to (?:main )?content",
    r"[Ss]earch (?:this site|for|form|CNN)",
    r"Navigation\b",
    r"Menu\b",
    r"Site icon",
    r"Exit mobile version",
    r"[Cc]opyright",
    r"All [Rr]ights [Rr]eserved",
    r"[Ss]ubscri(?:be|ption)",
    r"(?:Log ?[Ii]n|Login|LOGIN)\b",
    r"Sign (?:[Ii]n|[Uu]p)\b",
    r"Most (?:[Rr]ead|[Pp]opular|[Vv]iewed)",
    r"Read (?:[Mm]ore|[Aa]lso)",
    r"Share [Tt]his",
    r"Related (?:[Aa]rticles|[Pp]osts|[Nn]ews|[Ss]tories)",
    r"Leave a (?:[Rr]eply|[Cc]omment)",
    r"Powered [Bb]y",
    r"Your browser",
    r"JavaScript",
    r"Size [<>]",
    r"https?\b",
    # clock times, also tokenised ("10 : 28") and with an am/pm mark
    r"\d{1,2} ?: ?\d{2}(?: ?: ?\d{2})?(?! ?\d)(?: (?:ص|م|مساء|صباحا|AM|PM)\b)?",
    r"منذ \d+ (?:ساعة|ساعات|دقيقة|دقائق)",
    r"www ?\.",
]

# Dates: cut points in a header ("الأحد , 21 يناير 2018"), but not chrome by themselves,
# since lead sentences carry dates too; two or more in one sentence are a header.
_DATES = [
    # numeric dates 21 / 01 / 2018, 2017 - 12 - 04, 27 . 12 . 2017
    # (a trailing ه / م marks a Hijri / Gregorian date: "1439 / 1 / 28 ه")
    r"\d{1,2} ?[/.-] ?\d{1,2} ?[/.-] ?\d{4}(?: [هم](?!\w))?",
    r"\d{4} ?[/.-] ?\d{1,2} ?[/.-] ?\d{1,2}\b(?: [هم](?!\w))?",
    # scrape dates: weekday, day, month, year
    rf"(?:{_WEEKDAYS}) ?[,-]? ?\d{{1,2}} ?/? ?(?:{_MONTHS}) ?/? ?\d{{4}}",
    rf"(?:{_WEEKDAYS}) ?,? ?(?:{_MONTHS}) \d{{1,2}} \d{{4}}",
    rf"(?:{_MONTHS}) \d{{1,2}} ,? ?\d{{4}}\b",
    rf"\d{{1,2}} (?:{_MONTHS}) ,? ?\d{{4}}(?: م)?\b",
]

# Ambiguous words and phrases that also occur in news prose ("نشر على مواقع التواصل
# الاجتماعي"): a segment containing one is not clean prose, but no text is cut at them,
# except a menu word that opens a segment ("القائمة سعت عصابات...").
_PHRASES = [
    r"مواقع التواصل ال[اإ]?جتماعي",
    r"البريد ال[إا]لكتروني",
    r"النشرة (?:البريدية|الإخبارية|الاخبارية)",
    r"اشترك",
    r"تابعونا",
    r"تابعنا",
    r"الموقع الرسمي",
    r"آخر الأخبار",
    r"هذا المحتوى",
    r"هذه الصفحة",
    r"عزيزي (?:المستخدم|الزائر|القارئ|المتصفح)",
]
_WEAK = [
    r"(?:ال)?بحث",
    r"ابحث",
    r"القائمة",
    r"الرئيسية",
    r"عاجل",
    r"شارك",
    r"مشاركة",
    r"التعليقات",
    r"تعليقات",
    r"إعلان",
    r"طباعة",
    r"الإعدادات",
    r"هذا المحتوى",
    r"هذه الصفحة",
    r"(?:Search|Home|Share|Tweet|Comments?|Related|Login|Register|Advertisement|Cookies?)",
    r"[@#©]",
]

# Section headers that end the article when they open a short line.
_TAIL_HEADER = re.compile(
    r"^(?:[^\w]{0,4})(?:"
    r"التعليقات|تعليقات القراء|تعليقات|التعليق|أضف تعليق|اترك تعليق|اترك ردا|لا توجد تعليقات|"
    r"الأكثر (?:قراءة|مشاهدة|تعليقا|مشاركة)|الاكثر قراءة|"
    r"(?:أخبار|مواضيع|مقالات|روابط|مواد|عناوين) (?:ذات صلة|متعلقة)|ذات صلة|"
    r"أهم (?:المواضيع|التصنيفات|الأخبار)|آخر الأخبار|أحدث الأخبار|"
    r"جميع (?:الحقوق|حقوق)|حقوق النشر|"
    r"كلمات (?:مفتاحية|دالة|دلالية)|الوسوم|"
    r"Comments?|Leave a (?:reply|comment)|Most (?:read|popular|viewed)|"
    r"Related(?: articles| posts| news| stories)?|Copyright|All rights reserved|Tags"
    r")(?!\w)",
    re.IGNORECASE,
)

# Markers that, on the last line, cut the rest of the line (the start of the page footer).
_TAIL_INLINE = re.compile(
    r"جميع (?:الحقوق|حقوق)|حقوق النشر|اشترك|قسيمة اشتراك|"
    r"(?:أخبار|مواضيع|مقالات|روابط|مواد) (?:ذات صلة|متعلقة)|"
    r"الأكثر (?:قراءة|مشاهدة)|تابعونا|تابعنا|شارك (?:هذا|الخبر|المقال)|"
    r"كلمات (?:مفتاحية|دالة|دال ة|دلالية)|الكلمات الدلالية|[إا]قرأ (?:أيضا|أيضاً|ايضا|المزيد)|"
    r"تعليقات القراء|أضف تعليق|لا توجد تعليقات|مختارات تاريخ|"
    r"Copyright|All rights reserved|\bsubscription\b|Share this|Read more|Related articles|"
    r"\bComments\b",
    re.IGNORECASE,
)

# "read also" / share / follow lines dropped wherever they occur in the body.
_DROP_LINE = re.compile(
    r"^(?:[^\w]{0,4})(?:[إا]قرأ (?:أيضا|أيضاً|ايضا|ايضاً|المزيد)|شاهد (?:أيضا|أيضاً)|"
    r"شارك|تابعونا|تابعنا|مشاركة|Share|Read (?:also|more)|See also|Follow us)(?!\w)",
    re.IGNORECASE,
)

_BYLINE = re.compile(
    r"^(?:بقلم|كتب|كتبه|كتبت|إعداد|By)\s*:?\s*(\S.{1,60})$|^(.{2,40}?)\s+[–-]\s+فريق التحرير$",
    re.IGNORECASE,
)


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    """One regex for a lexicon. No IGNORECASE and no look-behind in front of an alternative
    (English case variants are spelled out): both stop the regex engine from skipping ahead
    by first character, which made the lexicons five times slower."""
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_STRONG_RE = _alternation(_STRONG)
_DATE_RE = _alternation(_DATES)
_CUT_RE = _alternation([*_STRONG, *_DATES])
# Whole words only: the end is checked here, the start in _weak_search (a look-behind in
# front of every alternative would stop the regex engine from skipping ahead by first letter).
_WEAK_RE = re.compile("(?:" + "|".join(_WEAK) + r")(?!\w)")
_PHRASE_RE = re.compile("|".join(f"(?:{p})" for p in _PHRASES))
_SEGMENT_END = re.compile(r"(?<=[.!?؟])\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_LETTER = re.compile(r"[^\W\d_]")
_NON_WORD = re.compile(r"[\W_]+")
_CLOSING = re.compile(r"\s*[)\]]")
_CONTINUATION = re.compile(r"\s*(?:[,،;)\]]|(?:من|على|إلى|الى|عن|مع|الذي|التي|حتى)\s)")
_SPACES = re.compile(r"[ \t\u00a0\u200f\u200e\u202a-\u202e]+")
_TERMINAL = (".", "!", "?", "؟", '"', "»", "”", ")")
_FULL_STOPS = (".", "!", "?", "؟")
_TITLE_SPLIT = re.compile(r"\s(?:\||-|–|—|::)\s")

# Picture credits closing a photo caption: an agency or source in brackets, or after a dash.
_CREDIT_NAMES = (
    r"رويترز|أ ?ف ?ب|ا ?ف ?ب|أ ?ب|د ?ب ?أ|غيتي|جيتي|غيتي إيميجز|الأناضول|إ ?ب ?أ|"
    r"أرشيف|أرشيفية|ارشيف|ارشيفية|أرشيفي|ارشيفي|إنترنت|الإنترنت|انترنت|تويتر|فيسبوك|يوتيوب|"
    r"مواقع التواصل|وسائل التواصل|سانا|AFP|Reuters|Getty(?: Images)?|AP|EPA|Archive"
)
_CAPTION_CREDIT = re.compile(
    rf"\( ?(?:[^()]{{0,30}}[ /-] ?)?(?:{_CREDIT_NAMES}) ?\)(?! ?[:-])|"
    rf" [-–] (?:{_CREDIT_NAMES})(?: \( ?(?:{_CREDIT_NAMES}) ?\))? (?![:-])"
)

REPEATED_LEAD_TOKENS = 8  # a summary repeated by the lead: 7 shared words happen by chance
MIN_START_WORDS = 8  # a body-start sentence: shorter ones are mostly banners and menu items
STANDALONE_WORDS = 25  # a start sentence this long needs no following prose sentence
LONG_PROSE_WORDS = 20  # prose without final punctuation (scraped lines lose it)
TITLE_MAX_WORDS = 30
SHORT_LINE_WORDS = 6  # header lines: "التعليقات (3)", "الأكثر قراءة"
# Scan limits keep clean_text near a millisecond: chrome before an article rarely runs past
# 1,500 characters of one line (the longest baly-dev header is about 1,000), and whether a
# sentence is prose shows in its first 400 characters.
HEADER_SCAN_CHARS = 1500
PROSE_SCAN_CHARS = 400


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _norm_key(text: str) -> str:
    """Comparison key for headlines: letters and digits only."""
    return _NON_WORD.sub("", text[:400])


def _n_words(text: str) -> int:
    """Words (two letters or more) in the first 400 characters: every threshold here is at
    most 30 words, which fit in 400 characters, so longer text need not be counted."""
    return len(_WORD.findall(text, 0, 400))


def _weak_search(text: str, end: int) -> re.Match[str] | None:
    for match in _WEAK_RE.finditer(text, 0, end):
        start = match.start()
        if start == 0 or not text[start - 1].isalnum() or match.group(0) in "@#©":
            return match
    return None


def _has_menu(text: str) -> bool:
    """Furniture or menu words: enough to reject the sentence after a body-start candidate."""
    text = text[:PROSE_SCAN_CHARS]
    if _STRONG_RE.search(text) is not None or _weak_search(text, len(text)) is not None:
        return True
    return len(_DATE_RE.findall(text)) >= 2


def _has_chrome(text: str) -> bool:
    return _has_menu(text) or _PHRASE_RE.search(text, 0, PROSE_SCAN_CHARS) is not None


def _is_prose(text: str, min_words: int) -> bool:
    n = _n_words(text)
    if n < min_words or _has_chrome(text):
        return False
    return n >= LONG_PROSE_WORDS or text.rstrip().endswith(_TERMINAL)


def _good_title(text: str) -> bool:
    n = _n_words(text)
    if not 3 <= n <= TITLE_MAX_WORDS or _has_chrome(text) or len(_segments(text)) > 1:
        return False
    chars = [ch for ch in text if not ch.isspace()]
    return sum(1 for ch in chars if ch.isalpha()) >= 0.7 * len(chars)


_IN_SENTENCE_MARKS = frozenset("\",،()«»“”'")


def _after_word(tokens: list[str], at: int) -> bool:
    """Whether tokens[at] follows a word, looking through quotes, commas and brackets
    (which sit inside sentences), as opposed to a separator ("|", "-", ":", a date)."""
    for token in reversed(tokens[max(0, at - 6) : at]):
        if _LETTER.search(token):
            return True
        if token not in _IN_SENTENCE_MARKS:
            return False
    return False


def _repeated_runs(tokens: list[str]) -> list[tuple[int, int, int]]:
    """Word runs printed twice near the top (a headline repeated in the chrome).

    Returns (first_start, length, end_of_later_copy) for each. Only runs of at least four
    tokens whose first copy starts in the first 60 tokens, at the start of the segment or
    after a letterless token (a separator), count: a lead sentence that repeats a phrase of
    the headline does not start a run.
    """
    limit = min(len(tokens), 160)
    seen: dict[tuple[str, ...], list[int]] = {}
    for i in range(limit - 3):
        seen.setdefault(tuple(tokens[i : i + 4]), []).append(i)
    runs: list[tuple[int, int, int]] = []
    for positions in seen.values():
        if len(positions) < 2 or positions[0] >= 60:
            continue
        first = positions[0]
        if first > 0 and _LETTER.search(tokens[first - 1]):
            continue
        for later in positions[1:]:
            if later - first < 4:
                continue
            length = 4
            while (
                later + length < len(tokens)
                and first + length < later
                and tokens[first + length] == tokens[later + length]
            ):
                length += 1
            if length < 5 and _n_words(" ".join(tokens[first : first + length])) < 4:
                continue
            if (
                length < 8
                and first + length < later
                and _LETTER.search(tokens[first + length])
                and _after_word(tokens, later)
            ):
                # The first copy runs on into other words and the later one sits inside
                # a sentence: a phrase of the headline repeated in the lead ("قسد : الرقة
                # ستكون جزءا من سوريا الاتحادية ..." then "قالت ... إن مدينة الرقة ستكون
                # جزءا من سوريا لا مركزية"), not a headline printed twice. Cutting after
                # the later copy would cut the lead in two.
                continue
            runs.append((first, length, later + length))
    return runs


@dataclass(slots=True)
class _Prefix:
    cut: int  # character offset where the article text starts
    title: str  # headline candidate found in the cut prefix, "" if none


def _can_cut(text: str, at: int) -> bool:
    """A cut must leave a full sentence: enough words, not starting with a continuation
    (a date inside a sentence, "... الثلاثاء 1 / 4 / 2014 من برنامج ...", is not a header)."""
    rest = text[at:]
    if _n_words(rest) < MIN_START_WORDS:
        return False
    return _CONTINUATION.match(rest) is None


def _prefix_cut(text: str) -> _Prefix:
    """Where the prose starts in a segment that may begin with chrome, and a title found there."""
    cut = 0
    for match in _CUT_RE.finditer(text, 0, HEADER_SCAN_CHARS):
        end = match.end()
        closing = _CLOSING.match(text, end)  # "( محدثة 01 : 42 27 . 12 . 2017 )"
        if closing is not None:
            end = closing.end()
        if _can_cut(text, end):
            cut = max(cut, end)
    if cut == 0:
        opening = _WEAK_RE.match(text)  # a menu word opening the segment
        if opening is not None and _can_cut(text, opening.end()):
            cut = opening.end()
    title = ""
    tokens = text.split(" ")
    best_length = 0
    for first, length, end in _repeated_runs(tokens):
        offset = len(" ".join(tokens[:end]))
        if _can_cut(text, offset):
            cut = max(cut, offset)
            run_text = " ".join(tokens[first : first + length])
            if length > best_length and _good_title(run_text):
                title, best_length = run_text, length
    if not title and cut:
        for chunk in _TITLE_SPLIT.split(text[:cut]):
            chunk = _STRONG_RE.split(chunk)[0].strip(" :-,")
            if _good_title(chunk):
                title = chunk
                break
    return _Prefix(cut=cut, title=_squash(title).strip(" .:-|"))


def _strip_leading_junk(text: str) -> str:
    """Drop a run of two or more letterless tokens (phone numbers, stray dates) at the start."""
    tokens = text.split(" ")
    i = 0
    while i < len(tokens) and not _LETTER.search(tokens[i]):
        i += 1
    return " ".join(tokens[i:]) if i >= 2 else text


def _segments(line: str) -> list[str]:
    """Sentence-like pieces of a line. Decimal points ("6 . 3") and one-letter abbreviations
    ("أ . ف . ب") are not sentence ends."""
    pieces: list[str] = []
    begin = 0
    for match in _SEGMENT_END.finditer(line):
        end = match.end()
        before = line[begin : match.start()].rsplit(" ", 2)
        last = before[-1] if before[-1] not in ".!?؟" or len(before) < 2 else before[-2]
        if end < len(line) and (line[end].isdigit() or line[end] in ".…"):
            continue  # "6 . 3", or ". . ." (a tokenised ellipsis inside a headline)
        if match.start() >= 2 and line[match.start() - 2] in ".…":
            continue  # "..": an ellipsis inside a headline
        if len(last.strip(".!?؟")) <= 1:
            continue
        pieces.append(line[begin : match.start()].strip())
        begin = end
    pieces.append(line[begin:].strip())
    return [p for p in pieces if p]


@dataclass(slots=True)
class _Start:
    line: int
    text: str  # the start line from the article start on
    title: str
    dropped: str  # chrome removed before the start on that line


def _iter_segments(lines: list[str]) -> Iterator[tuple[int, int, str]]:
    for li, line in enumerate(lines):
        for si, seg in enumerate(_segments(line)):
            yield li, si, seg


def _find_start(lines: list[str]) -> _Start | None:
    segments = _iter_segments(lines)
    current = next(segments, None)
    carried_title = ""  # a headline found before a summary that is printed twice
    while current is not None:
        li, si, seg = current
        following = next(segments, None)
        current = following
        prefix = _prefix_cut(seg)
        rest = _strip_leading_junk(seg[prefix.cut :].lstrip(" :-–|,.;"))
        if not _is_prose(rest, MIN_START_WORDS):
            continue
        next_text = following[2] if following is not None else ""
        if (
            following is not None
            and _n_words(rest) < STANDALONE_WORDS
            and (_n_words(next_text) < 4 or _has_menu(next_text))
        ):
            continue
        if (
            following is not None
            and not rest.rstrip(' "»”)').endswith(_FULL_STOPS)
            and not _is_prose(next_text, MIN_START_WORDS)
        ):
            continue  # a list of linked headlines (no full stops), not a paragraph
        if following is not None and _repeats_next(rest, next_text):
            carried_title = carried_title or prefix.title
            continue  # a summary printed again as the next sentence: start there
        if following is not None and _is_caption(rest) and _is_prose(next_text, MIN_START_WORDS):
            continue  # a photo caption on its own ("... بالبحر الأبيض ( غيتي )")
        rest = _cut_caption(_cut_repeated_lead(rest, next_text))
        segs = _segments(lines[li])
        tail = " ".join(segs[si + 1 :])
        dropped = " ".join([*segs[:si], seg[: len(seg) - len(rest)]]).strip()
        title = prefix.title or carried_title
        return _Start(line=li, text=f"{rest} {tail}".strip(), title=title, dropped=dropped)
    return None


def _repeats_next(text: str, following: str) -> bool:
    """Whether ``text`` ends with the whole of the next sentence ("site name + summary",
    then the summary again as the first paragraph)."""
    key = _norm_key(following)
    return len(key) >= 30 and _norm_key(text[-len(following) - 40 :]).endswith(key)


def _cut_repeated_lead(text: str, following: str) -> str:
    """Drop a headline glued before a summary that the next sentence repeats: when the
    next sentence's first eight tokens recur a few words into ``text``, what precedes them
    is a headline or site name ("مسؤول ينفي ... إلى سوريا نفى المبعوث ..." then "نفى
    المبعوث ..., يوم الجمعة , ...")."""
    head = following.split(" ")[:REPEATED_LEAD_TOKENS]
    if len(head) < REPEATED_LEAD_TOKENS or _n_words(" ".join(head)) < 6:
        return text
    tokens = text.split(" ", 40)
    for k in range(1, min(len(tokens) - REPEATED_LEAD_TOKENS, 30)):
        if tokens[k : k + REPEATED_LEAD_TOKENS] == head:
            rest = " ".join(tokens[k:])
            return rest if _n_words(rest) >= MIN_START_WORDS else text
    return text


def _is_caption(text: str) -> bool:
    """A sentence that ends with a picture credit: a photo caption."""
    tail = text[-60:].rstrip(" .")
    return any(m.end() >= len(tail) - 1 for m in _CAPTION_CREDIT.finditer(tail + " "))


def _cut_caption(text: str) -> str:
    """Drop a photo caption before the lead: at least four words, then a picture credit in
    brackets or after a dash ("صورة ... بحمص ( رويترز ) قال ..."). A dateline keeps its
    credit ("دمشق ( وكالات ) أعلنت": fewer than four words before it)."""
    match = _CAPTION_CREDIT.search(text, 0, 400)
    if match is None or _n_words(text[: match.start()]) < 4:
        return text
    rest = text[match.end() :].lstrip(" -–:")
    if (
        _n_words(rest) < MIN_START_WORDS
        or _CONTINUATION.match(rest)
        or _has_menu(text[: match.start()])
    ):
        return text
    return rest


def _title_from_lines(lines: list[str]) -> tuple[str, int]:
    """First headline-like line at the top: (title, index) or ("", -1)."""
    for i, line in enumerate(lines[:6]):
        n = _n_words(line)
        if n == 0:
            continue
        if _STRONG_RE.search(line) and n <= 8:
            continue  # a banner such as "Site icon <site>"
        # Headlines do not end with a full stop, unless they join two clauses with an
        # ellipsis ("سقوط قذيفتين على ... . . وأنقرة ترد .").
        if _good_title(line) and (not line.endswith(".") or " . . " in line):
            return line, i
        if n >= 3:
            break
    return "", -1


def _is_chrome_line(line: str) -> bool:
    n = _n_words(line)
    if n <= SHORT_LINE_WORDS + 2:
        return _has_chrome(line)
    if line.endswith(_TERMINAL):
        return False  # a paragraph; long chrome lines (link lists, menus) rarely end a sentence
    head = line[:PROSE_SCAN_CHARS]
    return len(_STRONG_RE.findall(head)) * 4 > _n_words(head)


def _is_trailing_chrome(line: str) -> bool:
    """A last line that is not article text: chrome, or a short fragment without a full stop
    (a link title, a site slogan). Weak words alone do not drop a sentence."""
    if _is_chrome_line(line) or _STRONG_RE.search(line, 0, PROSE_SCAN_CHARS) is not None:
        return True
    return _n_words(line) < 8 and not line.endswith(_TERMINAL)


def _clean_tail(lines: list[str], removed: list[str]) -> list[str]:
    out: list[str] = []
    skip_next_short = False
    for i, line in enumerate(lines):
        n = _n_words(line)
        if i > 0 and n <= SHORT_LINE_WORDS and _TAIL_HEADER.match(line):
            removed.append(f"tail from section header: {line[:40]!r}")
            break
        if _DROP_LINE.match(line) and n <= SHORT_LINE_WORDS + 4:
            removed.append(f"link/share line: {line[:40]!r}")
            skip_next_short = True
            continue
        if skip_next_short and n <= 15 and not line.endswith("."):
            removed.append(f"linked headline: {line[:40]!r}")
            skip_next_short = False
            continue
        skip_next_short = False
        if i > 0 and _is_chrome_line(line):
            removed.append(f"chrome line: {line[:40]!r}")
            continue
        out.append(line)
    for _ in range(4):
        while len(out) > 1 and _is_trailing_chrome(out[-1]):
            removed.append(f"trailing line: {out[-1][:40]!r}")
            out.pop()
        if not out:
            break
        last = out[-1]
        match = next(
            (m for m in _TAIL_INLINE.finditer(last) if _n_words(last[: m.start()]) >= 6), None
        )
        if match is None:
            break
        removed.append(f"footer on last line: {last[match.start() : match.start() + 40]!r}")
        out[-1] = last[: match.start()].rstrip(" |-–,:")
    return [line for line in out if line]


def clean_text(raw: str, *, title: str | None = None) -> CleanedArticle:
    """Clean a page saved as text. ``title`` is a known headline from metadata, if any."""
    removed: list[str] = []
    lines = [_squash(line) for line in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return CleanedArticle(title=_squash(title or ""), body="")

    found_title = _squash(title or "")
    if not found_title:
        found_title, index = _title_from_lines(lines)
        if index >= 0:
            removed.extend(f"chrome before title: {line[:40]!r}" for line in lines[:index])
            lines = lines[index + 1 :]
    key = _norm_key(found_title)
    byline = ""
    # Drop the headline where the page repeats it, and short chrome/byline lines around it.
    while lines and key and _norm_key(lines[0]) == key:
        removed.append("repeated headline")
        lines = lines[1:]

    start = _find_start(lines)
    if start is None:
        body_lines = lines
        candidate = ""
    else:
        for line in lines[: start.line]:
            match = _BYLINE.match(line)
            if match and not byline:
                byline = _squash(match.group(1) or match.group(2) or "")
            removed.append(f"before body: {line[:40]!r}")
        if start.dropped:
            removed.append(f"in-line prefix: {start.dropped[:40]!r}")
        body_lines = [start.text, *lines[start.line + 1 :]]
        candidate = start.title
        if not candidate and not found_title:
            for line in reversed(lines[: start.line]):
                if _good_title(line):
                    candidate = line
                    break
    if not found_title:
        found_title = candidate
        key = _norm_key(found_title)
    if key and body_lines and _norm_key(body_lines[0]) == key:
        body_lines = body_lines[1:]
    body_lines = _clean_tail(body_lines, removed)
    if not body_lines:  # never return an empty body for a non-empty page
        body_lines = [line for line in lines if _n_words(line) >= 3] or lines
    return CleanedArticle(
        title=found_title,
        body="\n\n".join(body_lines),
        byline=byline,
        removed=tuple(removed),
    )


# --- HTML ------------------------------------------------------------------------------

_BLOCK_TAGS = re.compile(
    r"</?(?:p|div|br|h[1-6]|li|ul|ol|section|article|tr|table|blockquote)\b[^>]*>", re.I
)
_DROP_ELEMENTS = re.compile(
    r"<(script|style|noscript|nav|aside|footer|header|form|iframe)\b.*?</\1\s*>", re.I | re.S
)
_TAG = re.compile(r"<[^>]+>")


def _strip_tags(html: str) -> str:
    import html as html_lib

    text = _DROP_ELEMENTS.sub(" ", html)
    text = _BLOCK_TAGS.sub("\n", text)
    text = _TAG.sub(" ", text)
    return html_lib.unescape(text)


def clean_html(html: str, *, url: str | None = None, title: str | None = None) -> CleanedArticle:
    """Extract the article from HTML with trafilatura, then apply the text rules."""
    import trafilatura

    doc: Any = None
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            favor_precision=True,
        )
    except Exception:  # a malformed page falls back to tag stripping
        doc = None
    text = str(getattr(doc, "text", "") or "") if doc is not None else ""
    meta_title = str(getattr(doc, "title", "") or "") if doc is not None else ""
    author = str(getattr(doc, "author", "") or "") if doc is not None else ""
    date = getattr(doc, "date", None) if doc is not None else None
    known_title = title or meta_title or None
    if not text.strip():
        cleaned = clean_text(_strip_tags(html), title=known_title)
        removed = ("trafilatura found no text; tags stripped", *cleaned.removed)
    else:
        cleaned = clean_text(text, title=known_title)
        removed = ("trafilatura extraction", *cleaned.removed)
    return CleanedArticle(
        title=cleaned.title,
        body=cleaned.body,
        byline=_squash(author) or cleaned.byline,
        published=str(date) if date else None,
        removed=removed,
    )
