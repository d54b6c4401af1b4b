"""The offline model's turns within one run, worked out again from the conversation each
time (the model keeps nothing between turns, like a hosted model):

1. When a request needs the whole board (a position with no list shown yet, a selection
   such as "everything overdue"), list it first.
2. Make the calls the request asks for.
3. A task named loosely and not found ("the landry") — list the board once, find the
   closest title, and try again with its id.
4. Reply from the results.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from taskpulse.agent.offline import replies
from taskpulse.agent.offline.context import Context, Result
from taskpulse.agent.offline.intent import Intent
from taskpulse.agent.offline.matching import closest, similar_titles
from taskpulse.agent.offline.planner import (LIST_MAX, Board, Turn, board_call, call, needs_board,
                                             plan)


def _board(results: list[Result]) -> Board:
    return [t for _tool, _args, r in results for t in r.get("tasks") or []]


def _missing(results: list[Result]) -> list[Result]:
    return [r for r in results if r[2].get("error") == "not_found" and r[1].get("task")]


def _retries(missing: list[Result], board: Board) -> list[tuple[Result, Any]]:
    """(the failed call, its retry) for each name the board has a clear match for."""
    out = []
    for tool, args, result in missing:
        match = closest(str(args["task"]), board)
        if match is not None:
            out.append(((tool, args, result), call(tool, **{**args, "task": str(match["id"])})))
    return out


def next_turn(intents: list[Intent], ctx: Context, rounds: list[list[Result]],
              today: date) -> Turn:
    board_first = needs_board(intents, ctx)
    if not rounds:
        return Turn(calls=[board_call()]) if board_first else plan(intents, ctx, None, today)
    board: Board | None = _board(rounds[0]) if board_first else None
    acted = rounds[1:] if board_first else rounds
    if not acted:
        return plan(intents, ctx, board, today)
    missing = _missing(acted[0])
    if board is None and missing and len(acted) == 1:
        return Turn(calls=[board_call()])          # look for the names not found
    if board is None and missing and len(acted) == 2:
        retries = _retries(missing, _board(acted[1]))
        if retries:
            return Turn(calls=[retry for _failed, retry in retries])
    return Turn(compose(intents, ctx, board, acted, today))


def _shown(acted: list[list[Result]], board: Board | None) -> tuple[list[Result], Board]:
    """The results to report: the first action round, with retried failures replaced by
    their retries; plus the board seen (for "did you mean")."""
    shown = list(acted[0])
    seen = board or []
    if board is None and len(acted) >= 2 and _missing(acted[0]):
        seen = _board(acted[1])
        retried = _retries(_missing(acted[0]), seen)
        for (failed, _call), again in zip(retried, acted[2] if len(acted) > 2 else []):
            shown[shown.index(failed)] = again
    return shown, seen


def compose(intents: list[Intent], ctx: Context, board: Board | None,
            acted: list[list[Result]], today: date) -> str:
    shown, seen = _shown(acted, board)
    notes = [plan(intents, ctx, board, today).text]
    text = replies.compose(shown, today) if shown else ""
    for tool, args, result in shown:
        if result.get("error") == "not_found" and seen:
            maybe = similar_titles(str(args.get("task", "")), seen)
            if maybe and closest(str(args.get("task", "")), seen) is None:
                text += "\n" + replies.did_you_mean(maybe)
    if any(i.kind == "list" and (i.limit or 0) > LIST_MAX for i in intents):
        text = replies.at_most(LIST_MAX) + "\n" + text      # the list was cut down
    return "\n".join(t for t in (*notes, text) if t) or "Done."
