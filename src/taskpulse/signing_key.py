"""The rule a production signing key (``TASKPULSE_SECRET_KEY``) must meet.

Whoever knows the key can sign a token for any user. In production a key that is short,
guessable or still a documentation placeholder is therefore refused at start-up:

1. at least :data:`MIN_BYTES` bytes;
2. no whitespace, quotes or ``<``/``>`` (left over from a template such as
   ``<paste a key here>``) and none of the :data:`PLACEHOLDER_WORDS`;
3. at least :data:`MIN_BITS` bits by a simple estimate: its length times the entropy of
   its characters' frequencies (``"a" * 32`` has 0);
4. most of it distinct: at least three quarters of its 4-character pieces occur once (a
   word repeated to length has few).

Keys made by ``python3 -c 'import secrets; print(secrets.token_urlsafe(48))'``,
``openssl rand -base64 48`` or ``openssl rand -hex 32`` pass. Outside production any key of
:data:`MIN_BYTES` bytes is accepted (tests use readable ones).
"""
from __future__ import annotations

import math
from collections import Counter

MIN_BYTES = 32
MIN_BITS = 90
MIN_DISTINCT_PIECES = 0.75
PIECE_CHARS = 4
TEMPLATE_CHARACTERS = frozenset("<>'\"`")
PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "replace", "example", "placeholder",
                     "secret", "password", "token_urlsafe", "generate", "insert")
HOW_TO_MAKE_ONE = ("make one with: python3 -c 'import secrets; "
                   "print(secrets.token_urlsafe(48))'")


def estimated_bits(key: str) -> float:
    """The key's length times the entropy (bits) of its character frequencies."""
    counts = Counter(key)
    total = len(key)
    return -total * sum(n / total * math.log2(n / total) for n in counts.values())


def distinct_pieces(key: str) -> float:
    """The share of the key's overlapping 4-character pieces that are all different."""
    pieces = [key[i:i + PIECE_CHARS] for i in range(len(key) - PIECE_CHARS + 1)]
    return len(set(pieces)) / len(pieces) if pieces else 0.0


def signing_key_problem(key: str, *, production: bool) -> str | None:
    """Why ``key`` cannot sign tokens (None: it can)."""
    if len(key.encode()) < MIN_BYTES:
        return f"must be at least {MIN_BYTES} bytes long"
    if not production:
        return None
    if any(c.isspace() or c in TEMPLATE_CHARACTERS for c in key):
        return ("contains spaces, quotes or < > (a template or command left in place of "
                "the key?)")
    lowered = key.lower()
    word = next((w for w in PLACEHOLDER_WORDS if w in lowered), None)
    if word is not None:
        return f"contains the placeholder word {word!r}"
    if estimated_bits(key) < MIN_BITS or distinct_pieces(key) < MIN_DISTINCT_PIECES:
        return "is not random enough (too few different characters, or a part repeated)"
    return None
