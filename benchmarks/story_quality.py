"""Precision and recall of story grouping on the labelled set, per language and
threshold: the measurements behind ``STORY_THRESHOLD`` (docs/explanation/story-grouping.md).

    .venv/bin/python benchmarks/story_quality.py [--thresholds 0.25 0.3 0.35 0.4 0.5]

Every pair of a language's versions (tests/ingest/stories/<language>.json) is grouped
or not as the importer would (a shared band key, then the similarity against the
threshold); a pair is right when both tell the same story. No database.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
import django  # noqa: E402

django.setup()

from tests.ingest.test_stories import LABELLED, measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thresholds", type=float, nargs="+", default=[0.25, 0.3, 0.35, 0.4, 0.5])
    args = parser.parse_args()
    languages = sorted(path.stem for path in LABELLED.glob("*.json"))
    print("| language | pairs | same story | threshold | precision | recall |")
    print("|---|---:|---:|---:|---:|---:|")
    for language in languages:
        for threshold in args.thresholds:
            pairs, same, grouped, right = measure(language, threshold)
            precision = right / grouped if grouped else 1.0
            print(
                f"| {language} | {pairs} | {same} | {threshold:.2f} | {precision:.2f} | "
                f"{right / same:.2f} |"
            )


if __name__ == "__main__":
    main()
