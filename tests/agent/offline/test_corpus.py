"""The offline assistant against the corpus: the share of phrasings that do what they
should (shown at the end of the pytest run) must be at least 95 %."""
from __future__ import annotations

from collections import Counter

from taskpulse.keys import TASKS
from tests.agent.offline.conftest import CORPUS_SCORE
from tests.agent.offline.corpus import CASES
from tests.agent.offline.corpus_base import TODAY
from tests.agent.offline.harness import run_case, verdict

GOAL = 0.95


def test_the_corpus_has_at_least_300_distinct_phrasings():
    assert len({(c.before, c.phrase) for c in CASES}) == len(CASES) >= 300


async def test_the_offline_assistant_does_what_at_least_95_percent_of_the_corpus_asks(
        app, client, signup):
    acct = await signup()
    failures = []
    for case in CASES:
        outcome = await run_case(case, acct.user_id, app[TASKS], TODAY)
        problem = verdict(case, outcome)
        if problem:
            failures.append(f"{case.phrase!r} (after {list(case.before)}): {problem}")
    right = len(CASES) - len(failures)
    share = right / len(CASES)
    CORPUS_SCORE[:] = [f"offline assistant corpus: {right}/{len(CASES)} right "
                       f"({share:.1%}; goal {GOAL:.0%})"]
    print(CORPUS_SCORE[0], *failures, sep="\n")
    assert share >= GOAL, "\n".join(failures)


def test_every_case_expects_an_effect():
    empty = [c.phrase for c in CASES if c.expected_changes() == {
        "add": [], "deleted": [], "done": [], "undone": [], "changed": {}}
        and not c.reply and not c.calls]
    assert not empty, Counter(empty)
