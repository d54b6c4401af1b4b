"""New tasks: "add buy milk tomorrow at 5pm", "remind me on thursday to call the vet",
"add apples, pears and plums" (three tasks), "add fix the sink with high priority"."""
from __future__ import annotations

import re

from taskpulse.agent.offline.intent import Intent, set_when
from taskpulse.agent.offline.refs import QUOTES
from taskpulse.tasks.dates import DATE_PHRASE

IC = re.IGNORECASE

ADD = [re.compile(p, IC) for p in (
    r"(?:add|create|new|make|put|insert|schedule|plan|note|jot down|write down|log|set up|"
    r"book|save|stick|pop)(?:\s+|$|(?=:))(?:me\s+)?(?:a\s+|an\s+)?(?:new\s+)?(?:quick\s+)?"
    r"(?:(?:task|todo|to-do|item|reminder|entry|note)s?\b)?\s*"
    r"(?:to\s+|called\s+|named\s+|titled\s+|for\s+|that says\s+|saying\s+|about\s+|:\s*|-\s*)?"
    r"(?P<rest>.*)",
    r"(?:remind me(?! what| which| how| of what)(?: to| about)?|remember to|"
    r"don't let me forget(?: to)?|i need to|i have to|i must|i should|i gotta|i've got to|"
    r"i got to|need to|have to|gotta|must|i want to)\s+"
    r"(?P<rest>.+)",
    r"(?:todo|to-do|to do|task|new task|reminder|add|shopping(?: list)?|groceries|"
    r"grocery list)\s*[:\-]\s*(?P<rest>.+)")]
_AND = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)\s*", IC)
_ARTICLE = re.compile(r"(?:the|a|an|my|his|her|their|our|some|\d+)\b", IC)
_LIST_END = re.compile(r"\s+(?:(?:to|on|onto|in|into)\s+(?:my\s+|the\s+)?(?:\w+\s+)?(?:list|"
                       r"tasks|todo list|to-do list|todos|board)|down)(?=$|\s+(?:for|by|on|at|due)"
                       r"\b)", IC)


def _description(intent: Intent, rest: str) -> str:
    if d := re.search(r"\s*(?:,\s*)?(?:with\s+(?:the\s+|a\s+)?|-\s*)(?:description|notes|note|"
                      r"details)\s*[:\-]?\s*(?P<d>.+)$", rest, IC):
        intent.description = d["d"].strip().strip(QUOTES)
        return rest[:d.start()]
    return rest


def _priority(intent: Intent, rest: str) -> str:
    if p := re.search(r"(?:,?\s*(?:with|at|as)\s+)?(?:a\s+)?\b(?P<p>high|low|medium|normal|top|"
                      r"critical)(?:\s+|-)priority\b|\bpriority\s*[:=]?\s*(?P<q>high|low|medium)"
                      r"\b", rest, IC):
        intent.priority = {"normal": "medium", "top": "high", "critical": "high"}.get(
            (p["p"] or p["q"]).lower(), (p["p"] or p["q"]).lower())
        return (rest[:p.start()] + " " + rest[p.end():]).strip()
    if p := re.match(r"(?:an?\s+)?(?P<p>urgent|important)(?:\s+task)?\s*(?:to|:|-)?\s+", rest, IC):
        intent.priority = "high"
        return rest[p.end():]
    if p := re.search(r",?\s+(?:it's\s+|its\s+|this is\s+)?(?:really\s+|very\s+)?"
                      r"(?P<p>urgent|important)!*$", rest, IC):
        intent.priority = "high"
        return rest[:p.start()]
    return rest


def _when(intent: Intent, outside: str) -> str:
    """Takes the due phrase out of the text: at the end, after "due"/"by"/"on"/"at", or
    leading ("tomorrow call the vet", "on thursday to call the vet")."""
    text = outside.rstrip(" ,.!")
    found = [m for m in DATE_PHRASE.finditer(text)
             if m.end() >= len(text) or m.start() == 0
             or re.match(r"due|by|on|at|@|before|until", m.group(0), IC)]
    if not found:
        return outside
    m = found[-1]
    set_when(intent, m["when"])
    rest = (text[:m.start()] + " " + text[m.end():]).strip()
    if m.start() == 0:
        rest = re.sub(r"^(?:[,:\-]\s*)?(?:(?:to|that i need to|i need to|i have to)\s+)?", "",
                      rest, flags=IC)
    return rest


def split_items(title: str) -> list[str]:
    """"apples, pears and plums" -> three; "call mom and pay rent" -> two; "salt and pepper"
    and "do the laundry and the dishes" stay one."""
    parts = [p.strip(" ,") for p in _AND.split(title) if p.strip(" ,")]
    if len(parts) < 2:
        return [title]
    short = all(len(p.split()) <= 3 for p in parts)
    if "," in title and (len(parts) >= 3 or short):
        return parts
    verbs = all(len(p.split()) >= 2 for p in parts)
    if verbs and not any(_ARTICLE.match(p) for p in parts[1:]):
        return parts
    return [title]


def _tidy(title: str) -> str:
    title = re.sub(r"(?:\s+(?:and|,|due|by|on|for|at|to))+$", "", " ".join(title.split()),
                   flags=IC)
    return title.strip(" ,:-").strip(QUOTES).strip()


def parse_add(text: str) -> Intent | None:
    m = next(filter(None, (p.fullmatch(text) for p in ADD)), None)
    if m is None:
        return None
    intent = Intent("add")
    rest = _LIST_END.sub("", m["rest"].strip().rstrip("?").strip())
    rest = _priority(intent, _description(intent, rest))
    quoted = re.search(r"[\"“‘](?P<t>[^\"”’]+)[\"”’]|(?<!\w)'(?P<s>[^']+)'(?!\w)", rest)
    if quoted:
        outside = rest[:quoted.start()] + " " + rest[quoted.end():]
        _when(intent, outside)
        intent.title = _tidy(quoted["t"] or quoted["s"])
        intent.titles = [intent.title] if intent.title else []
        return intent
    title = _tidy(_when(intent, rest))
    items = split_items(title)
    if len(items) < 2:
        intent.titles = [t for t in (_tidy(i) for i in items) if t]
        intent.title = title
        return intent
    for item in items:          # "buy milk tomorrow at 5pm, call mum and pay rent by friday"
        own = Intent("add")
        name = _tidy(_when(own, item))
        if name:
            intent.titles.append(name)
            intent.dues.append((own.due, own.due_time))
    return intent
