"""Finding the task a loose name means in a list of tasks: "landry" -> "do the laundry",
"pasport" -> "renew passport". rapidfuzz scores each title; the best one is taken only
when it is good enough and clearly better than the next."""
from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process, utils

GOOD_ENOUGH = 70.0      # WRatio, 0-100
CLEAR_LEAD = 8.0        # over the runner-up
SOMEWHAT_LIKE = 65.0    # worth a "did you mean"


def closest(name: str, tasks: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The task ``name`` most likely means, or None (no good or no clear match)."""
    titles = [str(t.get("title", "")) for t in tasks]
    if not name.strip() or not titles:
        return None
    ranked = process.extract(name, titles, scorer=fuzz.WRatio, processor=utils.default_process,
                             limit=2)
    if not ranked or ranked[0][1] < GOOD_ENOUGH:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < CLEAR_LEAD:
        return None
    return tasks[ranked[0][2]]


def similar_titles(name: str, tasks: list[dict[str, Any]], limit: int = 3) -> list[str]:
    """Titles that look somewhat like ``name`` (for "did you mean …?")."""
    titles = [str(t.get("title", "")) for t in tasks]
    ranked = process.extract(name, titles, scorer=fuzz.WRatio, processor=utils.default_process,
                             limit=limit, score_cutoff=SOMEWHAT_LIKE)
    return [title for title, _score, _i in ranked]
