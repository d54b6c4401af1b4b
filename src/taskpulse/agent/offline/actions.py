"""Changes to tasks that exist: rename, due date or time, priority, reopen, complete,
delete — of one task, several ("laundry and the dishes"), a position, or a selection."""
from __future__ import annotations

import re

from taskpulse.agent.offline.intent import Intent, is_due_phrase, set_when
from taskpulse.agent.offline.refs import QUOTES, parse_ref
from taskpulse.tasks.dates import DATE_PHRASE

IC = re.IGNORECASE


def _rx(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(p, IC) for p in patterns]


_MOVE = r"(?:move|reschedule|postpone|push(?: back)?|delay|defer|shift|bump|snooze|put off)"
DUE_SET = _rx(
    _MOVE + r"\s+(?P<ref>.+?)\s+(?:to|until|till|for|by|back to|over to|off (?:to|till|until))"
    r"\s+(?P<date>.+)",
    r"(?:change|set|update|make|move)\s+(?:the\s+)?(?:due date|deadline|due|date|time|due time)"
    r"\s+(?:of|for|on)\s+(?P<ref>.+?)\s+(?:to|as|for)\s+(?P<date>.+)",
    r"(?:set|make|change)\s+(?P<ref>.+?)(?:'s)?\s+(?:due date|deadline|due time|time)\s+(?:to\s+)?"
    r"(?P<date>.+)",
    r"(?:set|make)\s+(?P<ref>.+?)\s+(?:due|to be due)\s+(?P<date>.+)",
    r"set\s+(?P<ref>.+?)\s+(?:for|on)\s+(?P<date>.+)",
    r"(?:can\s+)?(?P<ref>.+?)\s+(?:can\s+)?wait\s+(?:till|until|for|to)\s+(?P<date>.+)",
    r"(?P<ref>.+?)\s+(?:is|are|should be|will be|needs to be|has to be|can be|could be)\s+"
    r"(?:now\s+)?"
    r"(?:due|done)\s+"
    r"(?P<date>.+?)(?:\s+instead)?",
    r"(?:do|make it|have)\s+(?P<ref>.+?)\s+(?P<date>\S.+?)\s+instead",
    _MOVE + r"\s+(?P<ref>.+?)\s+(?P<date>(?:in|next)\s+.+|tomorrow|today|(?:the\s+)?day after "
    r"tomorrow|\w+day)")
DUE_SHIFT = re.compile(
    r"(?:(?:move|postpone|push(?: back)?|delay|defer|shift|bump|snooze|put off)\s+"
    r"(?P<ref>.+?)\s+(?:(?:back|on)\s+(?:by\s+)?|forward\s+by\s+|by\s+)"
    r"|put\s+(?P<put>.+?)\s+off\s+(?:by\s+|for\s+)?)"
    r"(?P<n>a|an|one|two|three|four|five|six|seven|\d{1,3}|"
    r"a couple of)\s+(?P<unit>days?|weeks?)", IC)
_COUNT = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "a couple of": 2}
DUE_CLEAR = _rx(r"(?:remove|clear|delete|drop)\s+(?:the\s+)?(?:due date|deadline|date)\s+"
                r"(?:from|of|for|on)\s+(?P<ref>.+)",
                r"(?P<ref>.+?)\s+(?:has|needs)\s+no\s+(?:due date|deadline)",
                r"no\s+(?:due\s+)?(?:date|deadline)\s+(?:for|on)\s+(?P<ref>.+)")
P = r"(?P<p>high|low|medium|normal|urgent|important|top|critical|minor)"
PRIORITY_SET = _rx(
    r"(?:set|change|update|make)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+(?P<ref>.+?)\s+"
    r"(?:to|as)\s+" + P + r"(?:\s+priority)?",
    r"(?:make|mark|set|flag)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+)?(?:a\s+)?" + P + r"(?:\s+priority)?",
    r"(?:change|switch|update|move|put|turn)\s+(?P<ref>.+?)\s+(?:to|at|on)\s+(?:a\s+)?" + P
    + r"(?:\s+priority)?",
    r"(?:give|assign)\s+(?P<ref>.+?)\s+(?:a\s+)?" + P + r"\s+priority",
    r"(?P<ref>.+?)\s+(?:is|are)\s+(?:now\s+|really\s+|very\s+|super\s+)?(?:a\s+)?" + P
    + r"(?:\s+priority)?")
PRIORITY_UP = _rx(r"(?:raise|increase|bump up|bump|boost)\s+(?:the\s+)?priority\s+(?:of|for|"
                  r"on)\s+(?P<ref>.+)", r"prioriti[sz]e\s+(?P<ref>.+)")
PRIORITY_DOWN = _rx(r"(?:lower|decrease|reduce|drop)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+"
                    r"(?P<ref>.+)", r"de-?prioriti[sz]e\s+(?P<ref>.+)",
                    r"(?P<ref>.+?)\s+(?:is|are)(?:n't|\s+not)\s+(?:that\s+|very\s+|really\s+|"
                    r"so\s+)?(?:urgent|important|a priority|high priority)(?:\s+any\s?more)?")
RENAME = _rx(
    r"(?:rename|retitle|re-name|call)\s+(?P<ref>.+?)\s+(?:to|as|into)\s+(?P<new>.+)",
    r"(?:change|update|edit|set)\s+(?:the\s+)?(?:title|name|text|wording)\s+(?:of|for|on)\s+"
    r"(?P<ref>.+?)\s+to\s+(?P<new>.+)",
    r"(?:change|update|edit)\s+(?P<ref>.+?)(?:'s)?\s+(?:title|name)\s+to\s+(?P<new>.+)",
    r"(?:change|edit|update)\s+(?P<ref>.+?)\s+to\s+(?:say|read)\s+(?P<new>.+)",
    r"(?:change|edit|update|switch)\s+(?P<ref>.+?)\s+to\s+(?P<new>.+)",
    r"call\s+(?P<ref>(?:the|my)\s+.+?\s+(?:task|one|item|reminder))\s+(?P<new>.+?)"
    r"(?:\s+instead)?")
PRIORITY = {"high": "high", "urgent": "high", "important": "high", "top": "high",
            "critical": "high", "medium": "medium", "normal": "medium", "low": "low",
            "minor": "low"}
_DONE = (r"(?:done|complete|completed|finished|checked|ticked|sorted|dealt with|handled|paid|"
         r"taken care of|out of the way|bought|booked|sent|posted|called|cleaned|washed|fed|"
         r"fixed|returned|renewed|submitted|collected|picked up|signed|filed|emailed|"
         r"ordered|taken out)")
_NOT_A_TITLE = (r"(?!(?:delete|remove|wipe|clear|erase|trash|bin|drop|get rid|throw|show|list|"
                r"add|move|reopen|undo|uncheck)\b)")
REOPEN = _rx(
    r"(?:mark|set|flag|move|put)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+|back\s+to\s+|back\s+as\s+)?"
    r"(?:not\s+done|undone|not\s+complete(?:d)?|incomplete|uncompleted|pending|open|"
    r"not\s+finished|unfinished|to\s?do|active)(?:\s+again)?",
    r"(?:re-?open|un-?check|un-?tick|un-?mark|un-?complete|undo|restore|un-?finish)\s+"
    r"(?P<ref>.+)",
    r"(?:put|add|move)\s+(?P<ref>.+?)\s+back\s+(?:on|onto|to|in|into)\s+(?:my|the)\s+"
    r"(?:list|board|tasks)",
    r"(?P<ref>.+?)\s+(?:is|are)(?:n't|\s+not)\s+(?:actually\s+|really\s+)?" + _DONE
    + r"(?:\s+(?:yet|actually|after all))?",
    r"i\s+(?:haven't|have not|didn't|did not)\s+(?:actually\s+)?(?:finished|completed|done|"
    r"finish|complete|do)\s+(?P<ref>.+?)(?:\s+yet)?",
    r"(?P<ref>.+?)\s+still\s+(?:needs?|has|have)\s+(?:doing|to be done|work)")
COMPLETE = _rx(
    r"(?:mark|set|flag|tick|check|move)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+)?" + _DONE
    + r"(?:\s+off)?",
    r"(?:complete|finish|close|check off|tick off|cross off|strike off|cross out|mark off)\s+"
    r"(?P<ref>.+)",
    r"(?:check|tick|cross|strike|mark)(?:ed)?\s+(?P<ref>.+?)\s+off(?:\s+(?:the|my)\s+list)?",
    r"(?:i\s*)?(?:have\s+|'ve\s+|just\s+|already\s+|finally\s+)*(?:finished|completed|did|"
    r"done(?!\s+with\b)|got|"
    r"(?:am|'m)\s+(?:all\s+)?done\s+with|sorted(?: out)?)\s+(?P<ref>.+?)(?:\s+done)?",
    r"(?:i'm\s+|i am\s+)?(?:all\s+)?(?:done\s*(?:with|:|-)|(?:completed|finished)\s*[:\-])"
    r"\s*(?P<ref>.+)",
    _NOT_A_TITLE + r"(?P<ref>.+?)(?:\s+(?:is|are|was|were|has been|have been|got)|'s)\s+"
    r"(?:now\s+|all\s+|both\s+|finally\s+|already\s+)*" + _DONE + r"(?:\s+now)?",
    _NOT_A_TITLE + r"(?P<ref>.+?)\s*(?:-|:|,)?\s+(?:done|finished|complete|✓|✅)")
DELETE = _rx(
    r"(?:delete|remove|erase|drop|trash|discard|scrap|cancel|get rid of|forget(?: about)?|"
    r"clear|wipe|purge|empty|throw away|throw out|bin|ditch|toss|chuck|nuke|axe|kill)\s+"
    r"(?:out\s+|away\s+)?(?P<ref>.+?)(?:\s+(?:away|out))?",
    r"take\s+(?P<ref>.+?)\s+off\s+(?:of\s+)?(?:my|the)\s+(?:list|board|tasks)",
    r"(?P<ref>.+?)\s+(?:is|are)\s+(?:no longer needed|not needed anymore|not needed any more|"
    r"cancelled|canceled|off)",
    r"(?:i|we)\s+(?:don't|do not|no longer)\s+need\s+(?:to\s+)?(?P<ref>.+?)"
    r"(?:\s+any\s?more)?")


def _first(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        m = pattern.fullmatch(text)
        if m:
            return m
    return None


def _split_at_date(ref: str, when: str) -> tuple[str, str]:
    """(ref, due phrase): the phrase is ``when``, or the longest one ending the two."""
    if is_due_phrase(when):
        return ref, when
    both = f"{ref} {when}"
    for m in DATE_PHRASE.finditer(both):
        if m.end() == len(both) and m.start() > 0:
            return both[:m.start()].strip(), m.group(0)
    return ref, ""


def _changes(q: str) -> Intent | None:
    """Due date, priority and title changes."""
    if m := DUE_SHIFT.fullmatch(q):
        n = int(m["n"]) if m["n"].isdigit() else _COUNT[m["n"].lower()]
        return Intent("update", ref=parse_ref(m["ref"] or m["put"]),
                      shift_days=n * (7 if m["unit"].startswith("week") else 1))
    if m := _first(DUE_CLEAR, q):
        return Intent("update", ref=parse_ref(m["ref"]), due="none")
    for m in filter(None, (p.fullmatch(q) for p in DUE_SET)):
        ref, when = _split_at_date(m["ref"], m["date"])
        if when:
            intent = Intent("update", ref=parse_ref(ref))
            set_when(intent, when)
            return intent
    if m := _first(PRIORITY_UP, q):
        return Intent("update", ref=parse_ref(m["ref"]), priority="high")
    if m := _first(PRIORITY_DOWN, q):
        return Intent("update", ref=parse_ref(m["ref"]), priority="low")
    if m := _first(PRIORITY_SET, q):
        return Intent("update", ref=parse_ref(m["ref"]), priority=PRIORITY[m["p"].lower()])
    if m := _first(RENAME, q):
        new = m["new"].strip().strip(QUOTES)
        intent = Intent("update", ref=parse_ref(m["ref"]))
        if is_due_phrase(new):
            set_when(intent, new)
        else:
            intent.title = new
        return intent
    return None


def parse_action(text: str) -> Intent | None:
    """Rename, due date, priority, reopen, complete and delete (one, several or all)."""
    q = text.rstrip("?").strip()
    if re.match(r"(?:what|what's|which|how|when|where|who|is there|are there|do i|does|"
                r"did i|have i|any|anything|show|list|display|view|see|tell)\b", q, IC):
        return None
    if intent := _changes(q):
        return intent
    for kind, patterns, completed in (("complete", REOPEN, False), ("complete", COMPLETE, True),
                                      ("delete", DELETE, True)):
        if m := _first(patterns, q):
            ref = parse_ref(m["ref"])
            if ref.selection is not None and ref.selection.bulk:
                return Intent(kind + "_all", completed=completed, status=ref.selection.status)
            return Intent(kind, ref=ref, completed=completed)
    return None
