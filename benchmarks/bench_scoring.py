"""Scoring a quarter: 10,000 streamers and 650,000 live sessions, generated with numpy.

score_quarter_pure: `scoring.appraise` on in-memory frames — input checks, figures, score,
    grade, commission and promotion eligibility for everyone: the table. It does NOT read the
    explanations, which `appraise` builds only when they are read. Baseline: one pandas
    `groupby().sum()` over the same sessions joined with their hosts. Targets: 1 s, ratio 10.
score_quarter_explained: the same call plus reading every streamer's explanation (the dicts
    with commission lines and promotion checklists), against the same baseline, without a
    target of its own: what a caller that needs them all pays (a cycle's run does).

The cycle's run and finalize on the same data stored in SQLite are in `bench_cycle`.

The data is generated once per process (not timed) and is the same on every run.

    python -m benchmarks.bench_scoring
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from benchmarks.common import result, timed
from benchmarks.quarter_data import generate, joined

PURE_TARGET_S, PURE_TARGET_RATIO = 1.0, 10.0
SUM_COLUMNS = ["gmv_fen", "refunds_fen", "viewers", "views", "new_followers", "unfollows"]


# --- score_quarter_pure -----------------------------------------------------------------------


def score_quarter_pure(data: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    import scoring

    scheme = scoring.load_scheme(scoring.default_scheme_text())
    period = scoring.Period.quarter(2026, 3, "Asia/Shanghai")
    inputs = scoring.PromotionInputs(as_of=period.end)

    def appraise() -> scoring.AppraisalResult:
        return scoring.appraise(
            data["sessions"], data["hosts"], data["streamers"], scheme, period, inputs
        )

    def explained() -> None:
        explanations = appraise().explanations
        for streamer_id in explanations:
            explanations[streamer_id]

    seconds = timed(appraise)
    with_explanations = timed(explained)
    rows = joined(data)
    baseline = timed(lambda: rows.groupby("streamer_id")[SUM_COLUMNS].sum())
    return [
        result("score_quarter_pure", seconds, "s", baseline, PURE_TARGET_S),
        result("score_quarter_explained", with_explanations, "s", baseline),
    ]


def run() -> list[dict[str, Any]]:
    data = generate()
    pure, explained = score_quarter_pure(data)
    ratio = result("score_quarter_pure_ratio", pure["ratio"], "x", None, PURE_TARGET_RATIO)
    return [pure, ratio, explained]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
