"""Accounts: password hashing, tokens, request authentication, login throttling."""
