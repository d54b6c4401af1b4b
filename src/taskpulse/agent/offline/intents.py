"""The offline agent's reading of a message: one or several :class:`Intent`.

``parse_all("add milk and mark the laundry done")`` -> an add and a complete. Each piece
is tried from the most specific reading (confirmations, changes to existing tasks) to the
most general (add, list); what none of them reads is ``unclear`` and gets a reply with an
example close to what was typed (:mod:`.replies`).
"""
from __future__ import annotations

import re

from taskpulse.agent.offline.actions import parse_action
from taskpulse.agent.offline.adding import parse_add
from taskpulse.agent.offline.intent import Intent
from taskpulse.agent.offline.listing import parse_list
from taskpulse.agent.offline.normalise import clean, fix_typos

IC = re.IGNORECASE

CONFIRM = re.compile(r"(?:yes|yep|yeah|yup|y|sure|ok|okay|confirm(?:ed)?|do it|go ahead|"
                     r"i'?m sure|absolutely|please do|correct)(?:[,! ]+(?:yes|please|"
                     r"delete (?:them|it|all|everything)(?: all)?|do it|go ahead|i'?m sure|"
                     r"confirm(?:ed)?|delete|go for it))*", IC)
DENY = re.compile(r"(?:no|nope|nah|n|cancel|stop|don'?t|do not|never ?mind|keep (?:them|it|"
                  r"everything)|abort)(?:[,! ]+(?:thanks|thank you|don'?t|keep (?:them|it)|"
                  r"cancel|stop|don'?t delete (?:them|anything)))*", IC)
GREET = re.compile(r"(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|yo)"
                   r"(?: there)?(?: taskpulse)?", IC)
THANKS = re.compile(r"(?:(?:thanks|thank you|thx|ty|cheers|great|awesome|perfect|cool|nice|"
                    r"got it)(?: (?:so much|a lot|very much))?(?:[,!. ]+(?:that's all|that's it|"
                    r"all good|bye|that is all|nothing else))?|that's all|that's it|bye|goodbye|"
                    r"nothing else)", IC)
HELP = re.compile(r"(?:help|\?|what can you do|what (?:else )?can i (?:say|ask|do)|how does "
                  r"(?:this|it) work|how do i use (?:this|you|it)|what do you do|commands|"
                  r"who are you|what are you)\b", IC)

START_OVER = re.compile(r"(?:start (?:over|fresh|from scratch)|wipe (?:it|everything)|"
                        r"clean slate|reset (?:my |the )?(?:list|tasks|board))", IC)
#: Where one request ends and the next begins ("; ", ". ", "and then", "also").
_HARD = re.compile(r"\s*(?:;|\.\s+|,?\s+and\s+then\s+|,\s*then\s+|\s+then\s+|"
                   r",?\s+and\s+also\s+|,\s*also\s+|\s+also\s+)\s*", IC)
_VERBS = (r"add|create|delete|remove|mark|complete|finish|reopen|rename|move|postpone|"
          r"reschedule|show|list|tick|check off|uncheck|change|set|make|put|push|remind me|"
          r"get rid of|throw away|prioriti[sz]e|what's|what is|schedule|cross off|bin|clear|"
          r"drop|delay|snooze")
_SOFT = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?=(?:please\s+)?(?:" + _VERBS + r")\b)",
                   IC)


#: "undo that", "undo", "take that back": the last change of this chat, whatever it was.
UNDO_LAST = re.compile(r"(?:please\s+)?(?:undo|revert|take back|reverse)(?:\s+(?:that|it|this|"
                       r"the last (?:one|change|thing)|what you (?:just )?did|my last "
                       r"(?:change|request)))?(?:\s+please)?|take (?:that|it) back", re.I)


def parse(text: str) -> Intent:
    """One request."""
    t = clean(text)
    low = t.lower().rstrip("?!. ")
    if not low:
        return Intent("unclear", text=t)
    for kind, pattern in (("confirm", CONFIRM), ("deny", DENY), ("greet", GREET),
                          ("thanks", THANKS)):
        if pattern.fullmatch(low):
            return Intent(kind, text=t)
    if HELP.match(low) and len(low.split()) <= 8:
        return Intent("help", text=t)
    if UNDO_LAST.fullmatch(low):
        return Intent("undo", text=t)
    if START_OVER.fullmatch(low):
        return Intent("delete_all", text=t)
    intent = parse_action(t) or parse_add(t) or parse_list(t) or _dated_statement(t)
    if intent is None:
        return Intent("unclear", text=t)
    intent.text = t
    return intent


def _dated_statement(text: str) -> Intent | None:
    """"call the vet on thursday at 9am": a to-do with a due phrase is something to add."""
    if text.endswith("?") or not re.match(r"[a-z]", text, IC):
        return None
    intent = parse_add("add " + text)
    if intent is None or not (intent.due or intent.due_time) or not intent.titles:
        return None
    return intent


#: "move the laundry to friday and the dishes to saturday": the verb said once.
_ELIDED = re.compile(r"(?P<verb>move|postpone|push|reschedule|shift|change|rename|set)\s+"
                     r"(?P<a>.+?\s+to\s+.+?)\s*(?:,\s*(?:and\s+)?|\s+and\s+)"
                     r"(?P<b>(?:the\s+)?\S+(?:\s+\S+){0,3}\s+to\s+.+)", IC)


def _pieces(text: str) -> list[str]:
    pieces: list[str] = []
    for part in _HARD.split(fix_typos(" ".join(str(text).split()).strip(" ."))):
        pieces.extend(p for p in _SOFT.split(part) if p and p.strip())
    if len(pieces) == 1 and (m := _ELIDED.fullmatch(pieces[0])):
        pieces = [f"{m['verb']} {m['a']}", f"{m['verb']} {m['b']}"]
    return pieces


def _merge(into: Intent, change: Intent) -> None:
    into.priority = change.priority or into.priority
    into.due, into.due_time = change.due or into.due, change.due_time or into.due_time
    if change.kind == "update" and into.kind == "update":
        into.title = change.title or into.title


def _fold(intents: list[Intent]) -> list[Intent]:
    """"it" in a later request means the task of the one before: "add X and make it high
    priority" and "rename X to Y and move it to friday" become one call each."""
    out: list[Intent] = []
    for intent in intents:
        prev = out[-1] if out else None
        if prev and intent.ref.it and prev.kind in ("add", "update") \
                and intent.kind == "update":
            _merge(prev, intent)
            continue
        if prev and intent.ref.it and prev.kind in ("complete", "delete", "update"):
            intent.ref = prev.ref
        out.append(intent)
    return out


def parse_all(text: str) -> list[Intent]:
    """Every request in a message, in order (one, if it holds one)."""
    pieces = _pieces(text)
    if len(pieces) > 1:
        intents = [parse(p) for p in pieces]
        if all(i.kind not in ("unclear", "confirm", "deny", "greet", "thanks", "help")
               for i in intents):
            return _fold(intents)
    return [parse(text)]
