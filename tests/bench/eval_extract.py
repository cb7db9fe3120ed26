"""``make eval``: the plan extraction against the five hand-made inventories (data/plans/*.csv).

Prints, per document and layer, the recall and precision of names, the recall of counted items
(kind + count), section agreement and the place rows a template of the plan still yields, then the
misses. The seed plans are read from ``../shared/seeds`` (or ``$ONEMAP_SEEDS``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from layers.catalog.registry import dataset  # noqa: E402
from layers.plans.evaluate import evaluate_seeds, overall, second_opinions, second_table, table  # noqa: E402

SEEDS = Path(os.environ.get("ONEMAP_SEEDS", ROOT.parent / "shared" / "seeds"))


def run(*, per_layer: bool = True, misses: bool = True) -> dict:
    """Print the table and return the overall numbers."""
    towns = pd.read_csv(dataset("townships").path, dtype=str, keep_default_na=False)
    results = evaluate_seeds(SEEDS, ROOT / "data" / "plans", towns)
    if not results:
        print(f"no seed plans found in {SEEDS}; set ONEMAP_SEEDS to the folder of the seed .txt files")
        return {}
    print(table(results, per_layer=per_layer, misses=misses))
    if misses:
        print("\nanswer key: data/plans/<document>.csv, written by rules 1-5 of data/plans/SCHEMA.md and settled as its "
              "section 'How the answer key was settled' says\n")
        print(second_table(second_opinions(results, ROOT / "data" / "plans")))
    s = overall(results)
    return {"name_recall": s.recall, "name_precision": s.precision, "counted_recall": s.counted_recall,
            "section_agreement": s.section_agreement, "template_places": sum(len(r.template_places) for r in results)}


def bench_summary(record) -> None:  # noqa: ANN001
    """The overall line of ``make eval`` as rows of ``make bench`` (ratios, 0-1)."""
    found = run(per_layer=False, misses=False)
    for measure, key in (("plan extraction: name recall (5 plans)", "name_recall"),
                         ("plan extraction: name precision", "name_precision"),
                         ("plan extraction: counted items recall", "counted_recall"),
                         ("plan extraction: section agreement", "section_agreement")):
        if found.get(key) is not None:
            record(measure, "5 seeds", float(found[key]), "ratio")


if __name__ == "__main__":
    run(per_layer="--short" not in sys.argv, misses="--short" not in sys.argv)
