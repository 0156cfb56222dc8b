"""Evaluate the framing matcher on the five seed articles against seeds/gold.json.

Usage: .venv/bin/python bench/framing_eval.py [--corpus DIR] [--verbose]

Each seed page is cleaned (``clean_text(raw).body``) and prefixed with its gold title (a
headline is the outlet's own voice). Actor-label detection is scored per article on
(actor, label) pairs: predicted = own-voice findings with an actor and no term group
(plain names such as "روسيا", term group ``reference``, and loaded terms are left out);
gold = the article's ``own_voice`` list. Labels are compared by their token keys
(``comparisons.framing.label_key``), so "نظام الأسد" and "نظام أسد" are one wording.
Also checked: ``quoted_only`` labels found, and never in own voice; ``must_not`` pairs
never in own voice. The gold lists may not be exhaustive: extra findings are printed so
they can be judged by hand. The corpus is third-party text; only label surfaces (short
names) are printed, never article text.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from articles.cleaning import clean_text  # noqa: E402
from comparisons.framing import Finding, default_matcher, find_labels, label_key  # noqa: E402

DEFAULT_CORPUS = Path(
    os.environ.get("ZAWIYA_CORPUS_DIR", Path(__file__).resolve().parents[2] / "shared" / "corpus")
)

Pair = tuple[str, tuple[str, ...]]


def seed_text(corpus: Path, name: str, gold: dict) -> str:
    raw = (corpus / "seeds" / name).read_text(encoding="utf-8")
    title = gold["cleaning"].get(name, {}).get("title", "")
    body = clean_text(raw).body
    return f"{title}\n\n{body}" if title else body


def own_label_pairs(findings: list[Finding]) -> dict[Pair, str]:
    return {
        (f.actor_id, label_key(f.label)): f.label
        for f in findings
        if f.voice == "own" and f.actor_id is not None and f.term_group is None
    }


def evaluate(corpus: Path, verbose: bool = False) -> dict[str, float]:
    gold = json.loads((corpus / "seeds" / "gold.json").read_text(encoding="utf-8"))
    matcher = default_matcher()
    true_pos = predicted = expected = 0
    voice_errors = 0
    for name, expectations in sorted(gold["framing"].items()):
        findings = find_labels(matcher, seed_text(corpus, name, gold))
        own = own_label_pairs(findings)
        wanted = {
            (g["actor"], label_key(g["label"])): g["label"] for g in expectations["own_voice"]
        }
        hits = own.keys() & wanted.keys()
        true_pos += len(hits)
        predicted += len(own)
        expected += len(wanted)
        print(f"{name}: {len(hits)}/{len(wanted)} gold labels found, {len(own)} predicted")
        for pair in sorted(wanted.keys() - own.keys()):
            print(f"  MISSED  {pair[0]:20} {wanted[pair]}")
        for pair in sorted(own.keys() - wanted.keys()):
            print(f"  EXTRA   {pair[0]:20} {own[pair]}")
        by_pair: dict[Pair, set[str]] = {}
        for f in findings:
            if f.actor_id is not None:
                by_pair.setdefault((f.actor_id, label_key(f.label)), set()).add(f.voice)
        for item in expectations.get("quoted_only", []):
            voices = by_pair.get((item["actor"], label_key(item["label"])), set())
            ok = bool(voices) and "own" not in voices
            voice_errors += not ok
            print(
                f"  {'ok' if ok else 'FAIL':6}  quoted only: {item['actor']} {item['label']} {sorted(voices)}"
            )
        for item in expectations.get("must_not", []):
            voices = by_pair.get((item["actor"], label_key(item["label"])), set())
            ok = "own" not in voices
            voice_errors += not ok
            print(f"  {'ok' if ok else 'FAIL':6}  must not: {item['actor']} {item['label']}")
        if verbose:
            for f in findings:
                print(
                    f"    {f.voice:10} {f.actor_id or '-':20} {f.term_group or '':11} "
                    f"{f.valence:+d} {f.label}"
                )
    precision = true_pos / predicted if predicted else 0.0
    recall = true_pos / expected if expected else 0.0
    print(
        f"\nactor labels, own voice: precision {precision:.3f} ({true_pos}/{predicted}), "
        f"recall {recall:.3f} ({true_pos}/{expected}); voice checks failed: {voice_errors}"
    )
    return {"precision": precision, "recall": recall, "voice_errors": float(voice_errors)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    evaluate(args.corpus, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
