"""What a new password must be (sign-up, the pages, ``taskpulse create-user``).

A password is taken exactly as typed, at sign-up and at log-in alike: never trimmed, so
``"  spacey-password  "`` is a password of 19 characters. It must be 8 to 256 characters
and is refused when it is:

- blank (spaces only), or one character repeated (``aaaaaaaa``);
- a run of consecutive characters (``12345678``, ``abcdefgh``, ``87654321``);
- one of the commonest passwords (:data:`COMMON`, compared without case);
- the account's email address, or the part of it before ``@``.

Log-in checks nothing but the password's hash: accounts made before a rule existed keep
working.
"""
from __future__ import annotations

MIN_CHARS = 8
MAX_CHARS = 256

COMMON = frozenset("""
password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword
passwort motdepasse contraseña 0123456789 1234567890 123456789 12345678 123123123
11111111 00000000 12341234 11223344 12121212 1q2w3e4r 1q2w3e4r5t 1qaz2wsx qazwsxedc
q1w2e3r4 qwertyui qwerty12 qwerty123 qwertyuiop qwerty1234 asdfghjk asdfghjkl asdfasdf
zxcvbnm1 zxcvbnm123 123qweasd iloveyou iloveyou1 sunshine sunshine1 princess princess1
football football1 baseball superman batman12 trustno1 welcome1 welcome123 letmein1
letmein123 admin123 admin1234 administrator changeme changeme1 abcd1234 abc12345
abc123456 computer internet starwars whatever michelle jennifer charlie1 master12
dragon12 monkey123 shadow12 secret123 taskpulse taskpulse1 todolist todolist1
""".split())


def _consecutive(password: str) -> bool:
    steps = {ord(b) - ord(a) for a, b in zip(password, password[1:])}
    return steps in ({1}, {-1})


def password_problem(password: str, email: str = "") -> str | None:
    """Why ``password`` may not be an account's new password (None: it may)."""
    lowered = password.lower()
    if not password.strip():
        return "must not be blank"
    if len(set(lowered)) == 1 or _consecutive(lowered):
        return "is too easy to guess; choose a less predictable password"
    if lowered in COMMON:
        return "is one of the most common passwords; choose another"
    email = email.lower()
    if email and lowered in (email, email.partition("@")[0]):
        return "must not be your email address"
    return None
