"""A deterministic English intent parser for the offline agent.

``parse("mark the first two done")`` -> ``Intent(kind="complete", ref=Ref(first_n=2))``.
Patterns are tried from the most specific (confirmations, bulk changes, renames) to the
most general (add, list); anything else is ``unclear`` and gets a clarification.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from taskpulse.agent.offline.refs import (COUNTS, QUOTES, Ref, all_tasks_phrase, count_of,
                                          parse_ref)
from taskpulse.tasks.dates import DATE_PHRASE

IC = re.IGNORECASE


@dataclass
class Intent:
    kind: str      # add list complete delete update complete_all delete_all confirm deny
    #                help greet thanks unclear
    ref: Ref = field(default_factory=Ref)
    title: str = ""            # add: the title; update: the new title
    description: str = ""
    due: str = ""              # a due-date phrase ("tomorrow"); "none" removes it
    priority: str = ""
    completed: bool = True
    status: str = "all"
    due_within_days: int | None = None
    limit: int | None = None
    text: str = ""


def _rx(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(p, IC) for p in patterns]


CONFIRM = re.compile(r"(?:yes|yep|yeah|yup|y|sure|ok|okay|confirm(?:ed)?|do it|go ahead|"
                     r"i'?m sure|absolutely|please do|correct)(?:[,! ]+(?:yes|please|"
                     r"delete (?:them|it|all|everything)(?: all)?|do it|go ahead|i'?m sure|"
                     r"confirm(?:ed)?|delete|go for it))*", IC)
DENY = re.compile(r"(?:no|nope|nah|n|cancel|stop|don'?t|do not|never ?mind|keep (?:them|it|"
                  r"everything)|abort)(?:[,! ]+(?:thanks|thank you|don'?t|keep (?:them|it)|"
                  r"cancel|stop|don'?t delete (?:them|anything)))*", IC)
GREET = re.compile(r"(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|yo)"
                   r"(?: there)?(?: taskpulse)?", IC)
THANKS = re.compile(r"(?:thanks|thank you|thx|ty|cheers|great|awesome|perfect|cool|nice|"
                    r"got it)(?: (?:so much|a lot|very much))?", IC)
HELP = re.compile(r"(?:help|\?|what can you do|what (?:else )?can i (?:say|ask|do)|how does "
                  r"(?:this|it) work|how do i use (?:this|you|it)|what do you do|commands|"
                  r"who are you|what are you)\b", IC)

P = r"(?P<p>high|low|medium|normal|urgent|important|top|critical|minor)"
DUE_SET = _rx(
    r"(?:move|reschedule|postpone|push(?: back)?|delay|defer|shift|bump)\s+(?P<ref>.+?)\s+"
    r"(?:to|until|till|for|by|back to)\s+(?P<date>.+)",
    r"(?:change|set|update|make|move)\s+(?:the\s+)?(?:due date|deadline|due|date)\s+"
    r"(?:of|for|on)\s+(?P<ref>.+?)\s+(?:to|as|for)\s+(?P<date>.+)",
    r"(?:set|make|change)\s+(?P<ref>.+?)(?:'s)?\s+(?:due date|deadline)\s+(?:to\s+)?"
    r"(?P<date>.+)",
    r"(?:set|make)\s+(?P<ref>.+?)\s+(?:due|to be due)\s+(?P<date>.+)",
    r"(?P<ref>.+?)\s+(?:is|should be|will be)\s+(?:now\s+)?due\s+(?P<date>.+)",
    r"(?:move|reschedule|postpone|push|delay|defer)\s+(?P<ref>.+?)\s+(?P<date>(?:in|next)\s+"
    r".+|tomorrow|today|(?:the\s+)?day after tomorrow)")
DUE_CLEAR = _rx(r"(?:remove|clear|delete|drop)\s+(?:the\s+)?(?:due date|deadline|date)\s+"
                r"(?:from|of|for|on)\s+(?P<ref>.+)")
PRIORITY_SET = _rx(
    r"(?:set|change|update|make)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+(?P<ref>.+?)\s+"
    r"(?:to|as)\s+" + P + r"(?:\s+priority)?",
    r"(?:make|mark|set|flag)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+)?(?:a\s+)?" + P + r"(?:\s+priority)?",
    r"(?:change|switch|update|move|put|turn)\s+(?P<ref>.+?)\s+to\s+(?:a\s+)?" + P
    + r"(?:\s+priority)?",
    r"(?:give|assign)\s+(?P<ref>.+?)\s+(?:a\s+)?" + P + r"\s+priority",
    r"(?P<ref>.+?)\s+is\s+(?:now\s+)?(?:a\s+)?" + P + r"(?:\s+priority)?")
PRIORITY_UP = _rx(r"(?:raise|increase|bump up|bump|boost)\s+(?:the\s+)?priority\s+(?:of|for|"
                  r"on)\s+(?P<ref>.+)", r"prioriti[sz]e\s+(?P<ref>.+)")
PRIORITY_DOWN = _rx(r"(?:lower|decrease|reduce|drop)\s+(?:the\s+)?priority\s+(?:of|for|on)\s+"
                    r"(?P<ref>.+)", r"de-?prioriti[sz]e\s+(?P<ref>.+)")
RENAME = _rx(
    r"(?:rename|retitle|re-name)\s+(?P<ref>.+?)\s+(?:to|as|into)\s+(?P<new>.+)",
    r"(?:change|update|edit|set)\s+(?:the\s+)?(?:title|name|text)\s+(?:of|for|on)\s+"
    r"(?P<ref>.+?)\s+to\s+(?P<new>.+)",
    r"(?:change|update|edit)\s+(?P<ref>.+?)(?:'s)?\s+(?:title|name)\s+to\s+(?P<new>.+)",
    r"(?:change|edit|update)\s+(?P<ref>.+?)\s+to\s+(?:say|read)\s+(?P<new>.+)",
    r"(?:change|edit|update)\s+(?P<ref>.+?)\s+to\s+(?P<new>.+)")
PRIORITY = {"high": "high", "urgent": "high", "important": "high", "top": "high",
            "critical": "high", "medium": "medium", "normal": "medium", "low": "low",
            "minor": "low"}
_DONE = r"(?:done|complete|completed|finished|checked|ticked)"
REOPEN = _rx(
    r"(?:mark|set|flag|move|put)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+|back\s+to\s+|back\s+as\s+)?"
    r"(?:not\s+done|undone|not\s+complete(?:d)?|incomplete|uncompleted|pending|open|"
    r"not\s+finished|unfinished|to\s?do|active)",
    r"(?:reopen|re-open|uncheck|untick|unmark|uncomplete|undo|restore|unfinish)\s+(?P<ref>.+)",
    r"(?P<ref>.+?)\s+(?:is|are)(?:n't|\s+not)\s+" + _DONE + r"(?:\s+yet)?",
    r"i\s+(?:haven't|have not|didn't|did not)\s+(?:finished|completed|done|finish|complete|do)"
    r"\s+(?P<ref>.+?)(?:\s+yet)?")
COMPLETE = _rx(
    r"(?:mark|set|flag|tick|check|move)\s+(?P<ref>.+?)\s+(?:as\s+|to\s+)?" + _DONE
    + r"(?:\s+off)?",
    r"(?:complete|finish|close|check off|tick off|cross off|strike off)\s+(?P<ref>.+)",
    r"(?:check|tick|cross|strike)\s+(?P<ref>.+?)\s+off",
    r"(?:i\s+)?(?:have\s+|'ve\s+|just\s+)*(?:finished|completed|did|(?:am|'m)\s+done\s+with)"
    r"\s+(?P<ref>.+)",
    r"(?:i'm\s+|i am\s+)?done\s*(?:with|:|-)\s*(?P<ref>.+)",
    r"(?P<ref>.+?)\s+(?:is|are)\s+(?:now\s+|all\s+)?" + _DONE)
DELETE = _rx(
    r"(?:delete|remove|erase|drop|trash|discard|scrap|cancel|get rid of|forget(?: about)?|"
    r"clear|wipe|purge|empty)\s+(?:out\s+)?(?P<ref>.+)")
START_OVER = re.compile(r"(?:start (?:over|fresh|from scratch)|wipe (?:it|everything)|"
                        r"clean slate)", IC)
ADD = _rx(
    r"(?:add|create|new|make|put|insert|schedule|plan|note|jot down|write down|log)(?:\s+|$)"
    r"(?:a\s+|an\s+)?(?:new\s+)?(?:(?:task|todo|to-do|item|reminder|entry)s?\b)?\s*"
    r"(?:to\s+|called\s+|named\s+|titled\s+|for\s+|that says\s+|:\s*|-\s*)?(?P<rest>.*)",
    r"(?:remind me to|remind me about|remember to|don't let me forget to|i need to|i have to|"
    r"i must|i should|i gotta|i've got to|need to|have to)\s+(?P<rest>.+)",
    r"(?:todo|to-do|to do|task|new task|reminder)\s*[:\-]\s*(?P<rest>.+)")
LIST_START = re.compile(
    r"(?:show|list|display|view|see|get|give|tell|read|print|what|what's|whats|which|do i "
    r"have|have i|any|anything|how many|are there|is there|check|my|open|pending|completed|"
    r"done|finished|overdue|upcoming|remaining|todo|to-do|tasks?)\b", IC)
LIST_WORDS = re.compile(
    r"\b(?:tasks?|todos?|to-dos?|list|due|left|open|pending|remaining|outstanding|done|"
    r"completed|finished|overdue|upcoming|agenda|plate|to do|have to do|need to do|week|"
    r"today|tomorrow|everything|anything|finish|complete|accomplished|get done|got done)\b",
    IC)
PENDING = re.compile(r"\b(?:open|pending|left|remaining|outstanding|incomplete|unfinished|"
                     r"not\s+(?:yet\s+)?(?:done|finished|completed)|to do|todo|to-do|still|"
                     r"undone|need to|have to|overdue|upcoming)\b", IC)
COMPLETED = re.compile(r"\b(?:done|completed|finished|finish|complete|checked off|"
                       r"accomplished)\b", IC)
QUESTION = re.compile(r"(?:what|what's|whats|which|how|when|where|who|is there|are there|"
                      r"do i|does|did i|have i|any|anything)\b", IC)
_N = r"(\d+|" + "|".join(COUNTS) + r")"


def _n(word: str) -> int:
    return count_of(word)


def clean(text: str) -> str:
    t = " ".join(str(text).split())
    t = re.sub(r"[.!]+$", "", t).strip()
    t = re.sub(r"^(?:(?:ok(?:ay)?|hey|please|pls|so|and|now|also|then|alright)[,!]?\s+)+",
               "", t, flags=IC)
    t = re.sub(r"^(?:can|could|would|will)\s+you\s+(?:please\s+)?", "", t, flags=IC)
    t = re.sub(r"^(?:i(?:'d| would) like (?:you )?to|i want (?:you )?to|help me|let's|lets)\s+",
               "", t, flags=IC)
    t = re.sub(r"[,\s]+(?:please|pls|for me|thanks|thank you)$", "", t, flags=IC)
    return t.strip()


def _first(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        m = pattern.fullmatch(text)
        if m:
            return m
    return None


def _action(text: str) -> Intent | None:
    """Rename, due date, priority, reopen, complete and delete (single, listed or all)."""
    q = text.rstrip("?").strip()
    if QUESTION.match(q):
        return None
    if m := _first(DUE_CLEAR, q):
        return Intent("update", ref=parse_ref(m["ref"]), due="none")
    for m in filter(None, (p.fullmatch(q) for p in DUE_SET)):
        if DATE_PHRASE.fullmatch(m["date"]):
            return Intent("update", ref=parse_ref(m["ref"]), due=m["date"])
    if m := _first(PRIORITY_UP, q):
        return Intent("update", ref=parse_ref(m["ref"]), priority="high")
    if m := _first(PRIORITY_DOWN, q):
        return Intent("update", ref=parse_ref(m["ref"]), priority="low")
    if m := _first(PRIORITY_SET, q):
        return Intent("update", ref=parse_ref(m["ref"]), priority=PRIORITY[m["p"].lower()])
    if m := _first(RENAME, q):
        new = m["new"].strip().strip(QUOTES)
        if DATE_PHRASE.fullmatch(new):
            return Intent("update", ref=parse_ref(m["ref"]), due=new)
        return Intent("update", ref=parse_ref(m["ref"]), title=new)
    for kind, patterns, completed in (("complete", REOPEN, False), ("complete", COMPLETE, True),
                                      ("delete", DELETE, True)):
        if m := _first(patterns, q):
            everything, status = all_tasks_phrase(m["ref"])
            if everything:
                return Intent(kind + "_all", completed=completed, status=status)
            return Intent(kind, ref=parse_ref(m["ref"]), completed=completed)
    return None


def _add(text: str) -> Intent | None:
    m = _first(ADD, text)
    if m is None:
        return None
    rest = m["rest"].strip().rstrip("?").strip()
    intent = Intent("add")
    rest = re.sub(r"\s+(?:to|on|onto|in)\s+(?:my\s+|the\s+)?(?:list|tasks|todo list|"
                  r"to-do list|todos)$", "", rest, flags=IC)
    if d := re.search(r"\s*(?:,\s*)?(?:with\s+(?:the\s+|a\s+)?|-\s*)(?:description|notes|note|"
                      r"details)\s*[:\-]?\s*(?P<d>.+)$", rest, IC):
        intent.description, rest = d["d"].strip().strip(QUOTES), rest[:d.start()]
    if p := re.search(r"(?:,?\s*(?:with|at|as)\s+)?(?:a\s+)?\b(?P<p>high|low|medium|normal|top|"
                      r"critical)(?:\s+|-)priority\b|\bpriority\s*[:=]?\s*(?P<q>high|low|medium)"
                      r"\b", rest, IC):
        intent.priority = PRIORITY[(p["p"] or p["q"]).lower()]
        rest = (rest[:p.start()] + " " + rest[p.end():]).strip()
    if p := re.match(r"(?:an?\s+)?(?P<p>urgent|important)(?:\s+task)?\s*(?:to|:|-)?\s+", rest, IC):
        intent.priority, rest = "high", rest[p.end():]
    elif p := re.search(r",?\s+(?:it's\s+|its\s+)?(?P<p>urgent|important)$", rest, IC):
        intent.priority, rest = "high", rest[:p.start()]
    quoted = re.search(r"[\"“'‘](?P<t>[^\"”'’]+)[\"”'’]", rest)
    outside = rest[:quoted.start()] + " " + rest[quoted.end():] if quoted else rest
    matches = [mm for mm in DATE_PHRASE.finditer(outside)
               if mm.end() >= len(outside.rstrip(" ,.!")) or re.match(r"due|by", mm.group(0), IC)]
    if matches:
        date_m = matches[-1]
        intent.due = date_m["when"]
        outside = outside[:date_m.start()] + outside[date_m.end():]
    title = quoted["t"] if quoted else outside
    intent.title = re.sub(r"(?:\s+(?:and|,|due|by|on|for|at))+$", "", " ".join(title.split()),
                          flags=IC).strip(" ,:-").strip(QUOTES)
    return intent


def _list(text: str) -> Intent | None:
    q = text.rstrip("?").strip()
    asks = LIST_WORDS.search(q) or re.match(r"(?:show|list)\b", q, IC)
    if not LIST_START.match(q) or not asks:
        return None
    low = q.lower()
    intent = Intent("list")
    if PENDING.search(low):
        intent.status = "pending"
    elif COMPLETED.search(low):
        intent.status = "completed"
    if re.search(r"\b(?:today|tonight|overdue|late)\b", low):
        intent.due_within_days = 0
    elif re.search(r"\btomorrow\b", low):
        intent.due_within_days = 1
    elif m := re.search(r"\b(?:next|coming|within(?: the next)?|in the next|in)\s+" + _N
                        + r"\s+(days?|weeks?)\b", low):
        intent.due_within_days = _n(m[1]) * (7 if m[2].startswith("week") else 1)
    elif re.search(r"\bnext week\b", low):
        intent.due_within_days = 14
    elif re.search(r"\b(?:this|the) week\b|\bweek\b", low):
        intent.due_within_days = 7
    elif re.search(r"\b(?:this|the) month\b", low):
        intent.due_within_days = 30
    if intent.due_within_days is not None and intent.status == "all":
        intent.status = "pending"
    if m := re.search(r"\b(?:first|top|next)\s+" + _N + r"\b(?!\s+(?:days?|weeks?))", low):
        intent.limit = _n(m[1])
    return intent


def parse(text: str) -> Intent:
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
    if START_OVER.fullmatch(low):
        return Intent("delete_all", text=t)
    intent = _action(t) or _add(t) or _list(t)
    if intent is None:
        return Intent("unclear", text=t)
    intent.text = t
    return intent
