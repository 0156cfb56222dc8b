"""Event clustering core: article features, candidate search, scoring, assignment, storylines.

Pure: plain data in and out, no ORM. The workflow that stores clusters and memberships calls
``extract_features`` once per article (store ``features.to_dict()``), keeps one ``ClusterIndex``
(rebuildable by replaying stored memberships in their original order with ``ClusterIndex.add``)
and calls ``assign`` for each new article.

Features (``extract_features``)
- Content terms: ``token_key`` keys (clitic-stripped, normalised) of title and body, minus
  ``STOPWORDS`` and tokens shorter than 2 letters or made of digits. Title keys count
  ``TITLE_TERM_BOOST`` = 2 times (a headline states the event; TDT systems commonly up-weight
  it). At most ``MAX_TERMS`` distinct terms are kept (the heaviest), which bounds work on
  long noisy pages. Weights are TF-IDF with sublinear tf (1 + ln tf) and smoothed idf
  ln((1+N)/(1+df)) + 1, where N and df are maintained incrementally by the index as articles
  arrive; stored features hold (position-weighted) counts only, so they never go stale.
- Lead weighting: the k-th content key of the body counts 1 + ``LEAD_BOOST`` x
  exp(-k / ``LEAD_DECAY``) (2 and 80 keys: the first sentence counts about 3 times, a key 200
  words down about 1.2 times). News is written as an inverted pyramid, the claim in the lead;
  scraped pages add related stories, teasers and comments further down, which this discounts
  without having to detect them. Evidence (baly-dev half A only, see below): B-cubed F1 0.680
  -> 0.700 at the old threshold, precision 0.86 -> 0.94; boost 4 / decay 60 is no better.
- Title agreement: a headline is used (terms and title similarity) only when at least
  ``TITLE_AGREEMENT`` = 30% of its content keys occur in the first ``TITLE_LEAD_KEYS`` = 100
  content keys of the body; a real headline is restated by its lead, while a "title" picked from
  page chrome (a site's menu line, the same on every page of that site) is not, and without
  this check two unrelated pages of one site get a perfect title match. Not applied to bodies
  shorter than ``TITLE_CHECK_MIN_BODY`` = 20 keys (a title-only item keeps its title). Evidence
  (half A): 0.680 -> 0.697 alone; 0.703 with lead weighting.
- Title: content keys of the cleaned headline, compared with rapidfuzz.
- Places (``gazetteer.find_places``) and actors (``actors.find_actors``) with mention counts.
- Numbers: integers from 3 to 100,000 (not years 1900-2100) within ``NUMBER_WINDOW`` = 3 tokens
  of a casualty or count word (``COUNT_WORDS``); "12 قتيلا" in two reports is strong evidence.
  Only the title and the first ``NUMBER_LEAD_TOKENS`` = 100 body tokens (about the first
  paragraph) are searched: the event's count is in the lead, while a long scraped page collects
  counts from sidebars and related stories, and on baly-dev half A most wrong merges shared such
  a number ("20", "400", "15", "50") at a text cosine of only 0.13. Evidence (half A): 0.730 ->
  0.749, precision 0.82 -> 0.88; 60 tokens 0.749, 200 tokens 0.745.
- Date and its precision: ``day``, ``month``, ``year`` or ``unknown``, kept as an interval of
  day ordinals (a month is its first to last day).

Similarity of an article to a cluster (``ClusterIndex.score``)
  content = 1.0 text + 0.15 title + 0.15 places + 0.05 actors + 0.10 numbers
  score   = content * date_factor
Text cosine is the base (it is the only feature every article has, and the one every
TDT/first-story-detection system rests on: Allan et al. 1998; Yang et al. 1998); the other
features are bonuses on the same scale, each at most 0.15, so none of them, nor all of them
together, turns an article with unrelated wording into a match: below ``MIN_TEXT_SIMILARITY``
the score is 0.
- text: cosine between the article's TF-IDF vector and the cluster centroid (mean of members'
  sublinear tf, top ``CENTROID_TERMS`` terms, idf applied at scoring time). The dot product
  uses current idf over the shared terms only; the centroid's norm is kept as three sums
  (``_Cluster.norm_parts``) refreshed when the cluster changes, so it uses current ln(1 + N)
  but the cluster's own document frequencies as of its last update. This makes a score cost
  the number of shared terms instead of all 120 centroid terms (pure ``assign`` at 10k
  articles: 7.0 -> 1.8 ms CPU per article), stays deterministic (the state depends only on
  the sequence of ``add`` calls; scoring never mutates it) and is exact right after an update;
  a stale norm can only grow as df grows, lowering the cosine of long-untouched clusters a
  little. Measured: half A 0.749 -> 0.759 (precision 0.88 -> 0.90), half B unchanged 0.830:
  a side effect within noise, not a reason for the change.
- title: best rapidfuzz ``token_set_ratio`` against the cluster's last ``TITLE_MEMBERS`` titles,
  chance-corrected: (ratio - 0.5) / 0.5, floored at 0, because unrelated Arabic headlines already
  score 0.40-0.59 on character overlap (measured on all seed pairs). Only when both titles have at
  least 3 content keys (a headline "عين عيسى" would be a subset of every Ain Issa headline).
  Headlines paraphrase each other across outlets, so the weight is modest.
- places: histogram intersection of place-mention shares weighted by ``gazetteer.SPECIFICITY``:
  sum over shared places of specificity * min(share in article, share in cluster). Using shares
  rather than presence makes a roundup that mentions a second event once count little towards
  that event's cluster. Unresolved ambiguous places weigh 0. The weight (0.15) makes places a
  strong tie-breaker but, alone, never enough: 0.15 < ``ASSIGN_THRESHOLD``.
- actors: the same intersection over actor shares. Weak (0.05): the same handful of actors
  appears in most Syrian-war reports, so sharing them says little about the event.
- numbers: 1 if a casualty number is shared, else 0 (different counts are common across outlets,
  so a mismatch is not penalised).
- ``MIN_TEXT_SIMILARITY`` = 0.08: below this cosine, no match whatever the other features say,
  so a shared place and actor list (the Ain Issa 2015/2019/2020/2021 trap) cannot merge reports
  whose wording has nothing in common.

Dates: ``date_factor``
- Both dates known: gap g = days between the two intervals (0 if they overlap); factor =
  exp(-max(0, g - ``DATE_GRACE_DAYS``) / ``DATE_DECAY_DAYS``) with grace 3 days and decay 4 days.
  News about one incident arrives in a burst over a few days (the TDT observation behind
  time-decayed similarity, Yang et al. 1998); seeds: Al Mayadeen's report on day 3 of the
  offensive belongs with Orient's day-1 report (factor 1), a separate announcement 9 days
  earlier at the same town must not join (0.22); a report a month away is effectively vetoed
  (< 0.003), and so is the same town in another year.
- A cluster's interval spans its members' day-precision dates (imprecise members are used only
  when it has none), so a month-dated article does not stretch a cluster.
- Unknown date on either side: factor 1 and ``date_gap_days`` None. The date is neither a match
  nor a veto: there is no bonus for close dates, so content alone must pass the threshold.
- An imprecise date (month, year) overlapping the other interval: the expected factor over the
  days of the period (uniform prior), e.g. about 0.5 for a December report against a cluster of
  18-21 December; neither a match nor a veto, but a month-dated report needs stronger content
  (the seed protest at the Russian base, dated only "December 2020", stays apart from the
  offensive of 18-21 December). A non-overlapping imprecise interval decays as above.

Assignment (``assign``)
- Candidates come only from the index (never a scan of all clusters): postings from the
  article's top ``SALIENT_TERMS`` = 12 TF-IDF terms (terms in more than ``STOP_DF_RATIO`` = 5%
  of articles are skipped once ``N >= STOP_DF_MIN_DOCS``: they name the war, not an event) and
  its resolved places. Every postings list keeps only the ``POSTINGS_CAP`` = 32 most recently
  updated clusters, and the ``MAX_CANDIDATES`` = 32 clusters with the most weighted hits are
  scored (a term hit weighs 1, a place 2 x its specificity; a cluster found under one key in
  two time buckets, or in a bucket and among the undated, counts that key once: it used to
  count twice when its dates crossed a bucket boundary). Work per article is therefore bounded
  whatever the index size.
- Clusters that share places but no salient term: only the ``PLACE_ONLY_CANDIDATES`` = 8
  within the date reach that share the most place weight, then were posted most recently under
  those places (position from the end of the latest postings list they are in), are scored.
  Places must find candidates on their own (reports of one incident by two outlets can share
  a town and no salient term: the seeds' Orient and Al Mayadeen pair does; admitting none broke
  the seeds and lowered baly-dev all 0.763 -> 0.704), but at high density a town's postings hold
  every cluster of the period there: at 100k synthetic articles 19.8 of an article's 22.6
  candidates shared only a place, 0.57 of them passed ``MIN_TEXT_SIMILARITY``, and of the 203
  joins to such a cluster among the last 10,000 articles, 142 joined another event. They also
  outranked clusters found by one salient term (a place hit weighs up to 2) and could push them
  out of the ``MAX_CANDIDATES``. Quota 2 / 4 / 8 / 16, B-cubed F1 on baly-dev all 0.768 /
  0.770 / 0.773 / 0.772 (unlimited: 0.763), half A 0.743 / 0.743 / 0.743 / 0.744 (0.744),
  half B 0.832 / 0.830 / 0.830 / 0.830 (0.830), seeds 1.0 throughout; with 8, the synthetic
  stream keeps recall 0.995 and precision 0.791 -> 0.794, candidates per article 22.6 -> 9.3,
  pure time at 100k 0.71 -> 0.56 ms. Place-only clusters' dates are read lazily in that order
  until the quota is met, instead of for all of them (49 an article, 28 within reach).
- Time buckets: a dated article's keys are posted and looked up per ``BUCKET_DAYS`` = 16-day
  bucket (every bucket its interval touches; lookups cover the buckets within reach of the
  date factor, about 9 days either side), so a term's postings hold the clusters of one
  period, not the last 32 of all time: a busy year no longer evicts this month's clusters, and
  the loop over postings no longer visits clusters the date filter then drops. Undated
  articles read and write plain keys (every date can match them) and ``@u`` keys that dated
  articles also read. 16 days keeps a lookup to 2-3 buckets. Actor x week keys were dropped:
  at 100k synthetic articles 50 of the 51 near-date candidates an article had came from actor
  keys alone (the same few actors are in most reports of a week), and each cost a cosine.
  Undated articles (all of baly-dev) are unaffected: the same candidates as before.
  Measured with ``bench/clustering_db_bench.py`` (with the scoring and workflow changes of the
  same session): 100k articles at 502/s on SQLite (was 268/s) and 286/s on PostgreSQL (was
  130/s); synthetic B-cubed recall 0.997 -> 0.995, precision 0.818 -> 0.792 (near-date
  clusters the cap used to evict are found; the synthetic events reuse corpus sentences).
- Evidence for ``POSTINGS_CAP`` 32 (was 64): baly-dev A, B and all B-cubed F1 unchanged
  (0.744, 0.830, 0.763); on the synthetic stream of ``bench/clustering_db_bench.py`` (40k
  events, 100k articles over 13 years, ground truth known) the pure ``assign`` at 100k cost
  1.6 ms instead of 2.9 ms. ``MAX_CANDIDATES`` = 16 was also tried: half A F1 0.744 -> 0.735,
  so it stays 32.
- Where the time goes at 100k (pure, per article, against 1k): the index holds 31k clusters
  and 800k postings (about 300 MB), so nearly every lookup misses the CPU caches, and an
  article has 23.5 candidates within its date reach (0.8 at 1k), of which 2 pass
  ``MIN_TEXT_SIMILARITY``. Of 0.5 ms of growth, text cosines took 0.17, ``add`` 0.13 and the
  candidate search 0.11. Kept, with identical clusters on the synthetic stream: terms and
  cluster ids interned (one string per term instead of one per article; equal keys compare by
  identity), postings as lists, ln(1 + df) tabulated by df instead of a second dict over the
  vocabulary, the dot product as a loop in C. Measured and not kept: ``CENTROID_TERMS`` 60
  halves the pure time at 100k but lowers baly-dev F1 (all 0.763 -> 0.746, B 0.830 -> 0.793:
  a one-article cluster loses most of its words); scoring only candidates with a hit weight of
  at least 1.5 (not one shared term or place alone) cuts candidates from 23.5 to 10.7 but
  loses joins (synthetic B-cubed recall 0.995 -> 0.984); ranking hits by idf instead of 1 per
  term put the chosen cluster first in 86% of joins instead of 84%, too little to score fewer.
  Later (same measures): ln(1 + k) tabulated in an array of doubles instead of a list of float
  objects, which at 100k lie all over the heap, so ranking a centroid's terms in ``add``
  missed the cache on most of them (``add`` 0.22 -> 0.16 ms, ``probe`` 0.08 -> 0.06 ms); the
  quota for place-only candidates (above). Not kept: a centroid as a tuple of terms and an array
  of sums (2 KB a cluster instead of 10 KB, 120 MB less at 100k) made cosines slower (0.08 ->
  0.12 ms an article: 120 lookups hashing each term instead of a set intersection in C);
  buckets of 8 or 4 days (reading the postings costs as much more as the date filter saves).
- The best-scoring candidate at or above ``ASSIGN_THRESHOLD`` = 0.22 wins (ties: first
  candidate in the deterministic candidate order); otherwise a new cluster. Deterministic: same
  input, same order, same clusters. The text cosine is computed first for every candidate, the
  other parts of the score only for those above ``MIN_TEXT_SIMILARITY``, and the evidence
  record only for the chosen (or best rejected) one; the article's side of every comparison
  (TF-IDF weights, norm, place and actor shares: ``ClusterIndex.probe``) is computed once. The
  result is the same as scoring all of them fully (a test checks it).
- Analyst decisions: ``forbidden`` clusters are never chosen ("not the same event"); ``pinned``
  puts the article in a given cluster regardless of score (the evidence is still computed).
- Threshold evidence: ``ASSIGN_THRESHOLD`` = 0.22. On the seeds (dates known) the
  same-incident pair (Orient day 1, Al Mayadeen day 3) scores 0.38 and the best hard negatives
  0.15 and 0.13, so any threshold in 0.16-0.36 separates them; 0.22 leaves 0.07 above the worst
  negative. On baly-dev (no dates) the threshold was chosen on the development half only:
  gold clusters are split by the parity of the first byte of sha1(cluster id) into A (35
  clusters, 191 articles) and B (28 clusters, 152 articles, held out), and
  ``bench/clustering_eval.py`` reports both. With lead weighting and title agreement, half A
  B-cubed F1 by threshold: 0.16 0.68, 0.18 0.73, 0.20 0.72, 0.22 0.73, 0.24 0.70, 0.26 0.69,
  0.28 0.68, 0.30 0.70, 0.34 0.70 (precision 0.73 at 0.18, 0.82 at 0.22, 0.95 at 0.30). 0.22 is
  the top of the 0.18-0.22 plateau with the best precision and the widest seeds margin.
  Lowering it from 0.30 means the bonuses (0.45 at most) can exceed the threshold, so the
  ``MIN_TEXT_SIMILARITY`` veto is what keeps wording-free matches out.
- Measured and not kept (half A, F1 at the best of 0.20/0.30): the best-matching member's
  cosine as well as the centroid's (max over the last 8 members) 0.683, and with lead
  weighting 0.703 (recall up, precision down as much); a separate title + first-80-keys lead
  vector mixed half and half with the full text 0.731 (within noise of 0.722, twice the scoring
  cost); light stemming (``search_key``) and character 4/5-grams lower nearest-neighbour
  accuracy (0.72 -> 0.70, 0.68) by conflating claims. Larger candidate sets (40 salient terms,
  200 candidates) change nothing: the candidate search is not what limits recall.
- Limits: on baly-dev, even an oracle (average-link over all pairs with the best threshold
  chosen on the answers) reaches only about 0.70-0.75 B-cubed F1 with these bag-of-words
  vectors: some gold members' pages carry a different story than their claim, and about one
  article in four has a nearer neighbour in another claim's cluster than in its own (47 of the
  191 in half A). A ceiling that follows: put every other article in its gold cluster and
  leave those 47 alone, and B-cubed F1 is 0.837 on A (P 1.0, R 0.72) and 0.882 on B. 0.85 on
  the whole set is therefore out of reach for any decision rule over these similarities; it
  needs a representation whose nearest neighbours are right far more often (1-NN 0.75 now).

Second round of experiments (issue 3; half A only, the tables say what was kept)
Representations, judged without a decision rule on half A: 1-NN accuracy (the nearest other
article is in the same gold cluster), mean average precision of same-cluster retrieval, and the
best B-cubed F1 an oracle average-link reaches (threshold chosen on the answers). Idf from the
half itself. Noise level: about +-0.02.

  representation                                              1-NN   MAP    oracle AL
  current terms (lead weighting, title boost, agreement)      0.754  0.685  0.746
  plain keys of title + body (no lead weighting)              0.717  0.668  0.707
  lead only: first 40 / 60 / 100 content keys + title         0.686  0.570  0.705
                                                              0.707  0.587  0.712
                                                              0.728  0.620  0.737
  + content-key bigrams at 0.5 / 1.0 of a unigram             0.728  0.687  0.732
                                                              0.728  0.690  0.746
  bigrams only                                                0.717  0.679  0.751
  idf^1.5 / idf^2 (rarer terms count more)                    0.738  0.687  0.726
                                                              0.733  0.689  0.732
  terms in > 10% / > 20% of articles dropped                  0.738  0.692  0.732
                                                              0.754  0.689  0.749
  BM25 tf (k1 1.2, b 0.75 / b 0)                              0.743  0.673  0.721
                                                              0.749  0.676  0.729
  lead boost 4 decay 40 / boost 2 decay 150                   0.743  0.685  0.725
                                                              0.754  0.682  0.747
  max(full, lead 60) / mean(full, lead 120)                   0.733  0.685  0.756
                                                              0.749  0.680  0.767
  second order (cosine of top-10 neighbour profiles)          0.770  0.708  0.757
  rare-term overlap alone (terms with df 2-5)                 0.681  0.478  0.617
  cosine + 0.5 x rare-term overlap (df 2-5)                   0.733  0.684  0.706
  names by trigger words (the key after الشيخ، العميد، وزير،
    بلدة، قرية، مدينة، تنظيم ... counts 2x)                    0.764  0.690  0.747
  outlet chrome dropped (terms in >= 2/3 of the same outlet's
    other pages, outlets with >= 3 pages; needs the outlet)   0.770  0.701  0.758
None of these is clearly above noise, so none was adopted: the bag-of-words representation is
saturated on this set. The outlet-chrome filter is the most promising (all of baly-dev: 1-NN
0.749 -> 0.767, oracle 0.736 -> 0.757) and should grow with real volume (hundreds of pages per
outlet instead of 1-12), but it belongs in cleaning (boilerplate learnt per outlet), where the
outlet is known; earlier measurements of light stemming and character 4/5-grams (above) are in
line with these.
Decision rule and feature extraction, the core itself on half A (B-cubed F1, P, R):

  change                                                       F1     P      R      kept
  before this round                                            0.730  0.820  0.659
  casualty numbers from title + first 100 body tokens          0.749  0.877  0.653  yes
  places and actors from the lead too: F1 0.705 / 0.742 / 0.726 with 100 / 200 / 400 tokens
    (they are a topic signal over the whole page)                                    no
  second pass, end of batch: merge clusters whose centroid cosine >= 0.30 / 0.35 / 0.40
    (deterministic, agglomerative): F1 0.660 / 0.755 / 0.749                         no
  idf warmed with the other half's document frequencies: F1 0.729 (B 0.830 -> 0.836)  no
  ``CENTROID_TERMS`` 400 instead of 120                        0.731  0.756  0.708  no
  bonuses removed one at a time (after the numbers change):
    actors 0.719, places 0.739, title 0.755, numbers 0.746; text cosine alone with threshold
    0.16 / 0.18 / 0.20: 0.754 / 0.758 / 0.737. Within noise except actors; the bonuses are
    kept because dated reports (the seeds) need places and titles, and baly-dev has no dates.
  cached centroid norm (performance, above)                    0.759  0.900  0.657  yes
A merge pass gains at most 0.006 and is unstable in its threshold, so incremental assignment
stays the only path. Half B, measured once at the end: 0.818 before this round, 0.830 after.
The figures above use the cleaning of the start of this round; with the cleaning changed
meanwhile (same run, ``bench/clustering_eval.py``): before / after / plain baseline = A 0.712 /
0.744 / 0.695, B 0.818 / 0.830 / 0.772, all 0.736 / 0.763 / 0.668; seeds 1.0 and 1.0. With the
quota for place-only candidates (session 5, see Assignment): A 0.743, B 0.830, all 0.773.

Storylines (``build_storylines``)
Two incidents belong to one storyline when they share a main place (a resolved place of
specificity >= 0.8 with at least ``MAIN_PLACE_SHARE`` = 15% of each cluster's place mentions),
their actor shares intersect by at least ``STORY_ACTOR_OVERLAP`` = 0.3, and their date intervals
are at most ``STORY_WINDOW_DAYS`` = 28 days apart ("within weeks"). Links are transitive
(union-find). Undated incidents are left in storylines of their own: continuity is a claim about
time that an unknown date cannot support.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from operator import mul
from typing import Any, NamedTuple

from rapidfuzz import fuzz

from articles.normalization import token_key, token_keys
from comparisons.actors import find_actors
from comparisons.gazetteer import find_places, specificity

# --- weights and thresholds (see the module docstring for the evidence) ---------------------

W_TEXT = 1.0
W_TITLE = 0.15
W_PLACES = 0.15
W_ACTORS = 0.05
W_NUMBERS = 0.10
ASSIGN_THRESHOLD = 0.22
# The most the parts other than text can add (each part is at most 1; place specificity <= 1).
MAX_BONUS = W_TITLE + W_PLACES + W_ACTORS + W_NUMBERS
MIN_TEXT_SIMILARITY = 0.08
MIN_TITLE_KEYS = 3
TITLE_CHANCE = 0.5

DATE_GRACE_DAYS = 3
DATE_DECAY_DAYS = 4.0

TITLE_TERM_BOOST = 2
MAX_TERMS = 400
CENTROID_TERMS = 120
TITLE_MEMBERS = 8
LEAD_BOOST = 2.0
LEAD_DECAY = 80.0
TITLE_AGREEMENT = 0.3
TITLE_LEAD_KEYS = 100
TITLE_CHECK_MIN_BODY = 20

SALIENT_TERMS = 12
STOP_DF_RATIO = 0.05
STOP_DF_MIN_DOCS = 200
POSTINGS_CAP = 32
MAX_CANDIDATES = 32
PLACE_ONLY_CANDIDATES = 8
BUCKET_DAYS = 16

MAIN_PLACE_SHARE = 0.15
STORY_ACTOR_OVERLAP = 0.3
STORY_WINDOW_DAYS = 28

NUMBER_WINDOW = 3
NUMBER_LEAD_TOKENS = 100
PRECISIONS = ("day", "month", "year", "unknown")

# Function words and news boilerplate verbs that carry no event identity. Kept short on purpose:
# incremental idf takes care of the rest once enough articles have arrived.
STOPWORDS_SOURCE = (
    "في من على الى إلى عن مع بعد قبل حتى منذ خلال بين عند لدى حول ضد دون نحو عبر وفق أمام خلف "
    "فوق تحت و او أو ثم بل لكن لكن ان أن إن إذا اذا لو لا لم لن ما ماذا متى كيف اين أين هل قد "
    "لقد كان كانت يكون تكون كانوا ليس ليست هو هي هم هن هما انا نحن انت هذا هذه ذلك تلك هؤلاء "
    "الذي التي الذين اللذين اللتين اللواتي كل بعض غير أي اي أيضا ايضا كما مثل عدة عدد وقد فقد "
    "اليوم امس أمس غدا حيث التي إنه انه أنه إنها انها أنها له لها لهم به بها بهم فيه فيها منه "
    "منها عليه عليها إليه اليه وهو وهي ولا فيما بينما بينهم وذلك كذلك هناك هنا الآن جدا "
    "قال قالت وقال وقالت يقول تقول أضاف اضاف وأضاف أضافت اضافت وأشار أشار اشار أشارت اشارت "
    "أكد اكد أكدت اكدت أعلن اعلن أعلنت اعلنت ذكر ذكرت أفاد افاد أفادت افادت وفقا بحسب حسب "
    "مصدر مصادر وكالة خبر أخبار اخبار تقرير موقع نت عاجل صحيفة"
)

COUNT_WORDS_SOURCE = (
    "قتيل قتيلا قتلى مقتل قتل شهيد شهيدا شهداء استشهاد جريح جريحا جرحى مصاب مصابا مصابين "
    "إصابة اصابة إصابات ضحية ضحايا عنصر عنصرا عناصر مدني مدنيا مدنيين شخص شخصا أشخاص طفل طفلا "
    "أطفال امرأة نساء مقاتل مقاتلا مقاتلين جندي جنديا جنود معتقل معتقلا معتقلين أسير أسرى "
    "غارة غارات صاروخ صواريخ"
)


def _keys_of(source: str) -> frozenset[str]:
    return frozenset(token_key(word) for word in source.split())


_stopwords: frozenset[str] | None = None
_count_words: frozenset[str] | None = None


def _lexicons() -> tuple[frozenset[str], frozenset[str]]:
    global _stopwords, _count_words
    if _stopwords is None or _count_words is None:
        _stopwords = _keys_of(STOPWORDS_SOURCE)
        _count_words = _keys_of(COUNT_WORDS_SOURCE)
    return _stopwords, _count_words


# --- features -------------------------------------------------------------------------------


def date_interval(published: date | None, precision: str) -> tuple[int, int] | None:
    """Day-ordinal interval covered by a date of the given precision (None when unknown)."""
    if published is None or precision == "unknown":
        return None
    if precision == "day":
        return (published.toordinal(), published.toordinal())
    if precision == "month":
        first = published.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return (first.toordinal(), nxt.toordinal() - 1)
    if precision == "year":
        return (date(published.year, 1, 1).toordinal(), date(published.year, 12, 31).toordinal())
    raise ValueError(f"unknown date precision {precision!r}; expected one of {PRECISIONS}")


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """Everything clustering needs about one article; JSON-serialisable via ``to_dict``."""

    title: str
    title_keys: tuple[str, ...]
    terms: Mapping[str, float]
    places: Mapping[str, int]
    actors: Mapping[str, int]
    numbers: frozenset[int]
    published: date | None
    precision: str
    interval: tuple[int, int] | None = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "interval", date_interval(self.published, self.precision))

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "title_keys": list(self.title_keys),
            "terms": dict(self.terms),
            "places": dict(self.places),
            "actors": dict(self.actors),
            "numbers": sorted(self.numbers),
            "published": self.published.isoformat() if self.published else None,
            "precision": self.precision,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArticleFeatures:
        published = data.get("published")
        return cls(
            title=str(data["title"]),
            title_keys=tuple(data["title_keys"]),
            # Interned, as in ``extract_features``: see there.
            terms={sys.intern(str(k)): float(v) for k, v in data["terms"].items()},
            places={str(k): int(v) for k, v in data["places"].items()},
            actors={str(k): int(v) for k, v in data["actors"].items()},
            numbers=frozenset(int(n) for n in data["numbers"]),
            published=date.fromisoformat(published) if published else None,
            precision=str(data["precision"]),
        )


def _content(keys: Iterable[str], stopwords: frozenset[str]) -> list[str]:
    return [k for k in keys if len(k) >= 2 and not k.isdigit() and k not in stopwords]


def _casualty_numbers(keys: list[str], count_words: frozenset[str]) -> frozenset[int]:
    found = set()
    for i, key in enumerate(keys):
        if not key.isdigit() or len(key) > 6:
            continue
        value = int(key)
        if value < 3 or 1900 <= value <= 2100:
            continue
        window = keys[max(0, i - NUMBER_WINDOW) : i + NUMBER_WINDOW + 1]
        if any(k in count_words for k in window):
            found.add(value)
    return frozenset(found)


def _title_agrees(title_content: list[str], body_content: list[str]) -> bool:
    """Whether a headline is echoed by the lead (see ``TITLE_AGREEMENT`` in the docstring)."""
    if not title_content or len(body_content) < TITLE_CHECK_MIN_BODY:
        return True
    lead = set(body_content[:TITLE_LEAD_KEYS])
    shared = sum(1 for key in title_content if key in lead)
    return shared >= TITLE_AGREEMENT * len(title_content)


def extract_features(
    *, title: str, body: str, published: date | None, precision: str
) -> ArticleFeatures:
    """Features of one article from its cleaned title and body."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown date precision {precision!r}; expected one of {PRECISIONS}")
    stopwords, count_words = _lexicons()
    title_all = token_keys(title) if title else []
    body_all = token_keys(body) if body else []
    title_content = _content(title_all, stopwords)
    body_content = _content(body_all, stopwords)
    counts: dict[str, float] = {}
    for position, key in enumerate(body_content):
        boost = LEAD_BOOST * math.exp(-position / LEAD_DECAY)
        counts[key] = counts.get(key, 0.0) + 1.0 + boost
    if not _title_agrees(title_content, body_content):
        title_content = []  # page chrome taken for a headline: it says nothing of the event
    for key in title_content:
        counts[key] = counts.get(key, 0.0) + TITLE_TERM_BOOST
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_TERMS]
    # Interned: an index of 100k articles holds millions of references to a few hundred
    # thousand terms, one string each instead of one per article, and equal terms then compare
    # by identity in the hot set intersections and lookups.
    terms = {sys.intern(key): round(count, 3) for key, count in ranked}
    # Title and body are matched separately so a name never spans the seam between them.
    places: Counter[str] = Counter()
    actors: Counter[str] = Counter()
    for keys in (title_all, body_all):
        places.update(m.place_id for m in find_places(keys))
        actors.update(m.actor_id for m in find_actors(keys))
    return ArticleFeatures(
        title=title,
        title_keys=tuple(title_content),
        terms=terms,
        places=dict(sorted(places.items())),
        actors=dict(sorted(actors.items())),
        numbers=_casualty_numbers(title_all + body_all[:NUMBER_LEAD_TOKENS], count_words),
        published=published if precision != "unknown" else None,
        precision=precision if published is not None else "unknown",
    )


# --- similarity pieces ----------------------------------------------------------------------


def _shares(counts: Mapping[str, float]) -> dict[str, float]:
    total = sum(counts.values())
    return {k: v / total for k, v in counts.items()} if total else {}


def _overlap(
    shares: Mapping[str, float], counts: Mapping[str, float], *, places: bool
) -> tuple[float, list[str]]:
    """Histogram intersection of one side's shares with the other side's counts.

    Places are weighted by their specificity (unresolved ambiguous names weigh nothing).
    """
    total = sum(counts.values())
    if not total:
        return 0.0, []
    if places:
        shared = sorted(k for k in shares if k in counts and specificity(k) > 0)
        return sum(specificity(k) * min(shares[k], counts[k] / total) for k in shared), shared
    shared = sorted(k for k in shares if k in counts)
    return sum(min(shares[k], counts[k] / total) for k in shared), shared


def _actor_overlap(a: Mapping[str, float], b: Mapping[str, float]) -> tuple[float, list[str]]:
    return _overlap(_shares(a), b, places=False)


def _interval_gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def date_factor(
    article: tuple[int, int] | None,
    cluster: tuple[int, int] | None,
    *,
    exact: bool,
) -> tuple[float, int | None]:
    """(factor, gap in days or None when the dates cannot tell); see the module docstring.

    ``exact`` says both intervals are day-precise; an overlap of imprecise intervals is no gap.
    """
    if article is None or cluster is None:
        return 1.0, None
    gap = _interval_gap(article, cluster)
    if gap == 0 and not exact:
        # The article's day is unknown within its period: use the expected factor over the
        # days of the period (uniform prior), which is neither 1 (a match) nor 0 (a veto).
        days = range(article[0], article[1] + 1)
        expected = sum(_decay(_interval_gap((d, d), cluster)) for d in days) / len(days)
        return expected, None
    return _decay(gap), gap


def _decay(gap: int) -> float:
    return math.exp(-max(0, gap - DATE_GRACE_DAYS) / DATE_DECAY_DAYS)


def title_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Chance-corrected rapidfuzz token_set_ratio of two titles' content keys, in [0, 1]."""
    if len(a) < MIN_TITLE_KEYS or len(b) < MIN_TITLE_KEYS:
        return 0.0
    ratio = float(fuzz.token_set_ratio(" ".join(a), " ".join(b))) / 100.0
    return max(0.0, (ratio - TITLE_CHANCE) / (1.0 - TITLE_CHANCE))


# Beyond this many days of gap (9.1) the date factor is under the threshold, so only a content
# score above 1 could still reach it: near-identical wording plus most of the bonuses (the bound
# is 1 + MAX_BONUS, reached only at a gap of 10.5 days). Such a late copy is left out of the
# candidates on purpose: a reach of 10.5 days widens the window searched by 15% for reports
# that, this far apart, are more often a new development than the same incident.
_DATE_REACH = DATE_GRACE_DAYS + DATE_DECAY_DAYS * math.log(1.0 / ASSIGN_THRESHOLD)


def _buckets(start: int, end: int) -> range:
    """Time buckets (``BUCKET_DAYS`` days of day ordinals) overlapping an interval."""
    return range(start // BUCKET_DAYS, end // BUCKET_DAYS + 1)


# --- the index ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Cluster:
    id: str
    members: list[str] = field(default_factory=list)
    term_sums: dict[str, float] = field(default_factory=dict)
    term_keys: frozenset[str] = frozenset()
    places: Counter[str] = field(default_factory=Counter)
    actors: Counter[str] = field(default_factory=Counter)
    numbers: set[int] = field(default_factory=set)
    titles: list[tuple[str, ...]] = field(default_factory=list)
    day_interval: tuple[int, int] | None = None
    rough_interval: tuple[int, int] | None = None
    # sum over centroid terms of m^2, m^2 l and m^2 l^2 (m: mean sublinear tf, l: ln(1 + df)),
    # with df as of the cluster's last update: the centroid norm for any current ln(1 + N).
    norm_parts: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def interval(self) -> tuple[int, int] | None:
        return self.day_interval or self.rough_interval


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """What storyline linking needs about one incident."""

    cluster_id: str
    interval: tuple[int, int] | None
    places: Mapping[str, int]
    actors: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Match:
    score: float
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Probe:
    """An article's TF-IDF weights (and their norm) and mention shares, as an index sees it."""

    features: ArticleFeatures
    weights: dict[str, float]
    # Each weight times the term's idf again: the centroid's idf, applied on the article's side.
    scaled: dict[str, float]
    keys: frozenset[str]
    norm: float
    place_shares: dict[str, float]
    actor_shares: dict[str, float]


class _Parts(NamedTuple):
    total: float
    text: float
    title: float
    places: float
    shared_places: list[str]
    actors: float
    shared_actors: list[str]
    shared_numbers: frozenset[int]
    factor: float
    gap: int | None


@dataclass(frozen=True, slots=True)
class Assignment:
    cluster_id: str
    is_new: bool
    score: float
    evidence: dict[str, Any]
    # The article's salient terms in the index as it was: ``add`` needs them again, and may be
    # given them while the index has not changed (same ``n_docs``).
    salient: list[str] = field(default_factory=list)
    n_docs: int = 0


def _widen(current: tuple[int, int] | None, new: tuple[int, int]) -> tuple[int, int]:
    return new if current is None else (min(current[0], new[0]), max(current[1], new[1]))


class ClusterIndex:
    """Cluster summaries, document frequencies and capped inverted postings."""

    def __init__(self) -> None:
        self.n_docs = 0
        self.df: Counter[str] = Counter()
        self.clusters: dict[str, _Cluster] = {}
        # Lists (oldest first), not dicts: 800k postings of 1-2 clusters at 100k articles, where
        # a small list is a third of a small dict's size and a move to the end costs at most 32.
        self.postings: dict[str, list[str]] = {}
        self.article_cluster: dict[str, str] = {}
        self._next_id = 1
        # ln(1 + N) kept current and ln(1 + k) tabulated for every k <= N, so idf is a lookup
        # in ``df`` and one in an array (hot path of scoring), with no second dict over the
        # vocabulary to keep in step. Doubles in one block, not float objects spread over the
        # heap: at 100k articles the list's floats missed the cache on most lookups.
        self._log_n = 0.0
        self._log1p = array("d", [0.0])

    # idf and salient terms

    def idf(self, term: str) -> float:
        return self._log_n + 1.0 - self._log1p[self.df.get(term, 0)]

    def weights(self, terms: Mapping[str, float]) -> dict[str, float]:
        return self._weigh(terms)[0]

    def _weigh(self, terms: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
        """TF-IDF weights (sublinear tf), and each weight times its idf again (``Probe``)."""
        weights: dict[str, float] = {}
        scaled: dict[str, float] = {}
        # idf() inlined: the hot path of assign
        base, log1p, df = self._log_n + 1.0, self._log1p, self.df.get
        for term, count in terms.items():
            idf = base - log1p[df(term, 0)]
            weights[term] = weight = (1.0 + math.log(count)) * idf
            scaled[term] = weight * idf
        return weights, scaled

    def salient_terms(
        self, features: ArticleFeatures, *, weights: Mapping[str, float] | None = None
    ) -> list[str]:
        stop_df = STOP_DF_RATIO * self.n_docs if self.n_docs >= STOP_DF_MIN_DOCS else float("inf")
        if weights is None:
            weights = self.weights(features.terms)
        ranked = sorted(
            (t for t in weights if self.df.get(t, 0) <= stop_df),
            key=lambda t: (-weights[t], t),
        )
        return ranked[:SALIENT_TERMS]

    def _posting_keys(self, features: ArticleFeatures, salient: list[str]) -> list[str]:
        """Postings an article's cluster joins: see ``_lookup_keys`` for who reads them."""
        keys = self._base_keys(features, salient)
        posted = [key for key, _ in keys]  # read by undated articles: every date matches them
        if features.interval is None:
            posted += [key + "@u" for key, _ in keys]
        else:
            for bucket in _buckets(*features.interval):
                posted += [f"{key}@{bucket}" for key, _ in keys]
        return posted

    def _lookup_keys(
        self, features: ArticleFeatures, salient: list[str]
    ) -> list[tuple[list[str], float, bool]]:
        """Postings an article reads: for each key, its variants, a hit's weight, and whether
        it is a place (salient terms come first).

        An undated article reads the plain keys (clusters of any date); a dated one reads its
        keys in the time buckets within reach of its interval, plus those of undated clusters,
        so a term's postings hold clusters of one period instead of the last 32 of all time.
        """
        keys = self._base_keys(features, salient)
        if features.interval is None:
            return [([key], weight, key.startswith("p:")) for key, weight in keys]
        start, end = features.interval
        reach = math.ceil(_DATE_REACH)
        buckets = _buckets(start - reach, end + reach)
        return [
            ([key + "@u", *(f"{key}@{bucket}" for bucket in buckets)], weight, key.startswith("p:"))
            for key, weight in keys
        ]

    @staticmethod
    def _base_keys(features: ArticleFeatures, salient: list[str]) -> list[tuple[str, float]]:
        keys = [("t:" + t, 1.0) for t in salient]
        keys += [("p:" + p, 2.0 * specificity(p)) for p in features.places if specificity(p) > 0]
        return keys

    # candidate search, scoring

    def new_cluster_id(self) -> str:
        while f"c{self._next_id}" in self.clusters:
            self._next_id += 1
        cluster_id = f"c{self._next_id}"
        self._next_id += 1
        return cluster_id

    def hits(
        self, features: ArticleFeatures, salient: list[str]
    ) -> tuple[dict[str, float], dict[str, tuple[float, int]]]:
        """Clusters sharing the article's keys (postings only), with the weight they share.

        Two maps: clusters sharing a salient term (with the weight of any places they share as
        well), and clusters sharing places only, with that weight and their age under those
        places (position from the end of the latest postings list a place has them in, 0 the
        newest; the least over their places), which ``candidates`` uses to admit only a few.
        """
        hits: dict[str, float] = {}
        place_only: dict[str, tuple[float, int]] = {}
        postings = self.postings
        # Terms come first in the lookup keys, so when a place is read its clusters found by a
        # term are known.
        for variants, weight, is_place in self._lookup_keys(features, salient):
            # A cluster posted under several variants of one key (two time buckets, dated and
            # undated members) shares that key once.
            if not is_place:
                found: set[str] = set()
                for key in variants:
                    found.update(postings.get(key, ()))
                for cluster_id in found:
                    hits[cluster_id] = hits.get(cluster_id, 0.0) + weight
                continue
            # Age in the latest list a cluster is in (variants: undated, then buckets in
            # date order; each list oldest first), counted in C.
            ages: dict[str, int] = {}
            for key in variants:
                posting = postings.get(key, ())
                ages.update(zip(posting, range(len(posting) - 1, -1, -1), strict=True))
            for cluster_id, age in ages.items():
                if cluster_id in hits:
                    hits[cluster_id] += weight
                else:
                    shared, youngest = place_only.get(cluster_id, (0.0, age))
                    place_only[cluster_id] = (shared + weight, min(age, youngest))
        return hits, place_only

    def candidates(
        self, features: ArticleFeatures, *, salient: list[str] | None = None
    ) -> list[str]:
        """Clusters worth scoring, from the postings only; best-first, at most MAX_CANDIDATES.

        Every cluster sharing a salient term, and of those sharing only places the
        ``PLACE_ONLY_CANDIDATES`` sharing the most, then most recently posted under them;
        clusters beyond the date reach are dropped first. ``salient`` (the article's
        ``salient_terms`` now) lets ``assign`` share that work.
        """
        if salient is None:
            salient = self.salient_terms(features)
        hits, place_only = self.hits(features, salient)
        # Place-only clusters are many at high density (49 an article at 100k synthetic
        # articles, 28 of them within the date reach), so their dates are read lazily, in
        # order, until enough are in reach. Sorting is stable and ``place_only``'s order
        # follows the postings: deterministic without comparing ids.
        ranked_places = sorted(place_only, key=lambda c: (-place_only[c][0], place_only[c][1]))
        if features.interval is None:
            for cluster_id in ranked_places[:PLACE_ONLY_CANDIDATES]:
                hits[cluster_id] = place_only[cluster_id][0]
        else:
            # Drop clusters beyond the date reach (see ``_DATE_REACH`` for what that leaves out).
            limit = _DATE_REACH
            start, end = features.interval
            clusters = self.clusters
            for cluster_id in list(hits):
                cluster = clusters[cluster_id]
                interval = cluster.day_interval or cluster.rough_interval  # hot loop: inlined
                if interval is not None and max(start, interval[0]) - min(end, interval[1]) > limit:
                    del hits[cluster_id]
            admitted = 0
            for cluster_id in ranked_places:
                if admitted == PLACE_ONLY_CANDIDATES:
                    break
                cluster = clusters[cluster_id]
                interval = cluster.day_interval or cluster.rough_interval
                if interval is None or max(start, interval[0]) - min(end, interval[1]) <= limit:
                    hits[cluster_id] = place_only[cluster_id][0]
                    admitted += 1
        ranked = sorted(hits, key=lambda c: (-hits[c], c))
        return ranked[:MAX_CANDIDATES]

    def text_similarity(self, probe: Probe, cluster_id: str) -> float:
        """Cosine of an article's TF-IDF vector (``probe``) and a cluster's centroid."""
        cluster = self.clusters[cluster_id]
        sums = cluster.term_sums
        scaled = probe.scaled
        # Two frozensets intersect in C without copying either side (a centroid shares a few
        # of its 120 terms with an article); fsum is exactly rounded, so the set's
        # (hash-seeded) order cannot change the result.
        shared = cluster.term_keys & probe.keys
        # Iterated twice in one order (the same set): a loop in C, not in Python.
        dot = math.fsum(map(mul, map(sums.__getitem__, shared), map(scaled.__getitem__, shared)))
        base = self._log_n + 1.0
        s0, s1, s2 = cluster.norm_parts
        c_norm_sq = base * base * s0 - 2.0 * base * s1 + s2
        if not probe.norm or c_norm_sq <= 0.0:
            return 0.0
        # term_sums / n is the centroid: the 1/n factors of dot and norm cancel.
        return dot / (len(cluster.members) * probe.norm * math.sqrt(c_norm_sq))

    def probe(self, features: ArticleFeatures) -> Probe:
        """The article's side of every comparison, computed once per assignment."""
        weights, scaled = self._weigh(features.terms)
        return Probe(
            features=features,
            weights=weights,
            scaled=scaled,
            keys=frozenset(scaled),
            norm=math.sqrt(sum(w * w for w in weights.values())),
            place_shares=_shares(features.places),
            actor_shares=_shares(features.actors),
        )

    @staticmethod
    def _date(probe: Probe, cluster: _Cluster) -> tuple[float, int | None]:
        features = probe.features
        exact = features.precision == "day" and cluster.day_interval is not None
        return date_factor(features.interval, cluster.interval, exact=exact)

    def _parts(
        self,
        probe: Probe,
        cluster: _Cluster,
        text: float,
        dated: tuple[float, int | None] | None = None,
    ) -> _Parts:
        features = probe.features
        title = max((title_similarity(features.title_keys, t) for t in cluster.titles), default=0.0)
        places, shared_places = _overlap(probe.place_shares, cluster.places, places=True)
        actors, shared_actors = _overlap(probe.actor_shares, cluster.actors, places=False)
        shared_numbers = features.numbers & cluster.numbers
        numbers = 1.0 if shared_numbers else 0.0
        content = (
            W_TEXT * text
            + W_TITLE * title
            + W_PLACES * places
            + W_ACTORS * actors
            + W_NUMBERS * numbers
        )
        factor, gap = dated or self._date(probe, cluster)
        total = content * factor if text >= MIN_TEXT_SIMILARITY else 0.0
        return _Parts(
            total, text, title, places, shared_places, actors, shared_actors, shared_numbers,
            factor, gap,
        )  # fmt: skip

    def score(
        self,
        features: ArticleFeatures,
        cluster_id: str,
        *,
        probe: Probe | None = None,
        text: float | None = None,
    ) -> Match:
        """Similarity of an article to one cluster, with its evidence.

        ``probe`` (``self.probe(features)``) and ``text`` (the ``text_similarity`` already
        computed) let ``assign`` share that work across candidates.
        """
        probe = probe or self.probe(features)
        if text is None:
            text = self.text_similarity(probe, cluster_id)
        parts = self._parts(probe, self.clusters[cluster_id], text)
        evidence: dict[str, Any] = {
            "cluster_id": cluster_id,
            "score": round(parts.total, 4),
            "text_similarity": round(text, 4),
            "title_similarity": round(parts.title, 4),
            "place_overlap": round(parts.places, 4),
            "shared_places": parts.shared_places,
            "actor_overlap": round(parts.actors, 4),
            "shared_actors": parts.shared_actors,
            "shared_numbers": sorted(parts.shared_numbers),
            "date_gap_days": parts.gap,
            "date_factor": round(parts.factor, 4),
        }
        if text < MIN_TEXT_SIMILARITY:
            evidence["vetoed"] = "text similarity below minimum"
        return Match(parts.total, evidence)

    # updates

    def add(
        self,
        article_id: str,
        features: ArticleFeatures,
        cluster_id: str,
        *,
        salient: list[str] | None = None,
    ) -> None:
        """Record an article as a member of a cluster (new or existing) and update the index.

        ``salient`` must be the article's ``salient_terms`` in the index's current state (as
        ``assign`` computed them); it only saves recomputing them.
        """
        if article_id in self.article_cluster:
            raise ValueError(f"article {article_id!r} is already in the index")
        # One string per cluster id (callers build them afresh from database keys), so the
        # postings and ``clusters`` compare ids by identity.
        cluster_id = sys.intern(cluster_id)
        if salient is None:
            salient = self.salient_terms(features)
        self.n_docs += 1
        self.df.update(features.terms.keys())
        self._log_n = math.log(1 + self.n_docs)
        self._log1p.append(math.log(1 + self.n_docs))  # df can now reach n_docs
        log1p, df = self._log1p, self.df
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            cluster = self.clusters[cluster_id] = _Cluster(cluster_id)
        cluster.members.append(article_id)
        self.article_cluster[article_id] = cluster_id
        sums = cluster.term_sums
        for term, count in features.terms.items():
            sums[term] = sums.get(term, 0.0) + 1.0 + math.log(count)
        if len(sums) > CENTROID_TERMS:
            # The same order as sorting by (-sums[t] * idf(t), t), without a call per term.
            base = self._log_n + 1.0
            ranked = sorted([(-(total * (base - log1p[df[t]])), t) for t, total in sums.items()])
            cluster.term_sums = {t: sums[t] for _, t in ranked[:CENTROID_TERMS]}
        cluster.term_keys = frozenset(cluster.term_sums)
        n = len(cluster.members)
        s0 = s1 = s2 = 0.0
        for term, total in cluster.term_sums.items():
            m2 = (total / n) ** 2
            log_df = log1p[df[term]]
            s0 += m2
            s1 += m2 * log_df
            s2 += m2 * log_df * log_df
        cluster.norm_parts = (s0, s1, s2)
        cluster.places.update(features.places)
        cluster.actors.update(features.actors)
        cluster.numbers.update(features.numbers)
        cluster.titles = (cluster.titles + [features.title_keys])[-TITLE_MEMBERS:]
        if features.interval is not None:
            if features.precision == "day":
                cluster.day_interval = _widen(cluster.day_interval, features.interval)
            else:
                cluster.rough_interval = _widen(cluster.rough_interval, features.interval)
        for key in self._posting_keys(features, salient):
            posting = self.postings.setdefault(key, [])
            if cluster_id in posting:
                posting.remove(cluster_id)
            posting.append(cluster_id)
            if len(posting) > POSTINGS_CAP:
                del posting[0]

    def summaries(self) -> list[ClusterSummary]:
        return [
            ClusterSummary(c.id, c.interval, dict(c.places), dict(c.actors))
            for c in self.clusters.values()
        ]


def assign(
    index: ClusterIndex,
    article_id: str,
    features: ArticleFeatures,
    *,
    forbidden: frozenset[str] = frozenset(),
    pinned: str | None = None,
    add: bool = True,
) -> Assignment:
    """Assign an article to the best candidate cluster above the threshold, or a new cluster.

    ``forbidden`` clusters are never chosen; ``pinned`` forces the cluster (an analyst's
    decision). With ``add=False`` the index is left unchanged (a dry run for suggestions).
    """
    probe = index.probe(features)
    salient = index.salient_terms(features, weights=probe.weights)
    candidates = [c for c in index.candidates(features, salient=salient) if c not in forbidden]
    # Text cosine first: below MIN_TEXT_SIMILARITY a candidate scores 0 whatever the rest, so
    # only the others are scored, and evidence is built for the chosen (or best rejected) one
    # alone. Same result as scoring every candidate fully, in candidate order.
    best: tuple[float, str, float] | None = None  # score, cluster, text similarity
    first_vetoed: str | None = None
    for cluster_id in candidates:
        text = index.text_similarity(probe, cluster_id)
        if text < MIN_TEXT_SIMILARITY:
            first_vetoed = first_vetoed or cluster_id
            continue
        cluster = index.clusters[cluster_id]
        dated = index._date(probe, cluster)
        if best is not None and (text + MAX_BONUS) * dated[0] < best[0] - 1e-9:
            continue  # even full marks on every other part could not beat the best so far
        total = index._parts(probe, cluster, text, dated).total
        if best is None or total > best[0]:
            best = (total, cluster_id, text)
    # Ties go to the first candidate in candidate order, as with one pass over all.
    if first_vetoed is not None and (
        best is None
        or (best[0] <= 0.0 and candidates.index(first_vetoed) < candidates.index(best[1]))
    ):
        text = index.text_similarity(probe, first_vetoed)
        best = (0.0, first_vetoed, text)
    match = None if best is None else index.score(features, best[1], probe=probe, text=best[2])
    considered = len(candidates)
    if pinned is not None:
        if pinned in index.clusters:
            match = index.score(features, pinned, probe=probe)
            evidence = {**match.evidence, "pinned": True, "candidates_considered": considered}
            result = Assignment(pinned, False, match.score, evidence)
        else:
            result = Assignment(pinned, True, 0.0, {"pinned": True, "cluster_id": pinned})
    elif match is not None and match.score >= ASSIGN_THRESHOLD:
        evidence = {**match.evidence, "candidates_considered": considered}
        result = Assignment(str(match.evidence["cluster_id"]), False, match.score, evidence)
    else:
        runner_up = match.evidence if match is not None else None
        new_id = index.new_cluster_id()
        evidence = {
            "cluster_id": new_id,
            "new_cluster": True,
            "threshold": ASSIGN_THRESHOLD,
            "candidates_considered": considered,
            "best_rejected": runner_up,
        }
        result = Assignment(new_id, True, 0.0, evidence)
    result = replace(result, salient=salient, n_docs=index.n_docs)
    if add:
        index.add(article_id, features, result.cluster_id, salient=salient)
    return result


# --- storylines -----------------------------------------------------------------------------


def _main_places(places: Mapping[str, int]) -> set[str]:
    specific = {p: n for p, n in places.items() if specificity(p) >= 0.8}
    total = sum(specific.values())
    return {p for p, n in specific.items() if total and n / total >= MAIN_PLACE_SHARE}


def build_storylines(clusters: Iterable[ClusterSummary]) -> dict[str, str]:
    """Map each cluster id to a storyline id (the smallest member cluster id, for stability)."""
    summaries = sorted(clusters, key=lambda s: s.cluster_id)
    parent = {s.cluster_id: s.cluster_id for s in summaries}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_place: dict[str, list[tuple[tuple[int, int], ClusterSummary]]] = {}
    for s in summaries:
        if s.interval is None:
            continue
        for place in _main_places(s.places):
            by_place.setdefault(place, []).append((s.interval, s))
    for group in by_place.values():
        group.sort(key=lambda item: (item[0], item[1].cluster_id))
        for i, (a_interval, a) in enumerate(group):
            for b_interval, b in group[i + 1 :]:
                if b_interval[0] - a_interval[1] > STORY_WINDOW_DAYS:
                    break  # sorted by start: every later cluster starts later still
                if _interval_gap(a_interval, b_interval) > STORY_WINDOW_DAYS:
                    continue
                overlap, _shared = _actor_overlap(a.actors, b.actors)
                if overlap >= STORY_ACTOR_OVERLAP:
                    ra, rb = find(a.cluster_id), find(b.cluster_id)
                    if ra != rb:
                        parent[max(ra, rb)] = min(ra, rb)
    return {s.cluster_id: find(s.cluster_id) for s in summaries}
