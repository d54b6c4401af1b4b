"""Shows the corpus score at the end of a pytest run (``pytest -q`` included)."""
from __future__ import annotations

from typing import Any

#: Filled by tests/agent/offline/test_corpus.py: the line for the terminal summary.
CORPUS_SCORE: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in CORPUS_SCORE:
        terminalreporter.write_line(line)
