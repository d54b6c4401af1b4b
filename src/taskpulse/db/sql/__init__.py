"""Hand-written SQL, in one place: ``common`` (statements that run on SQLite and PostgreSQL
alike) and ``postgres`` (PostgreSQL only); ``statement`` sends them. Everything else goes
through the ORM. ``tests/db/test_statements.py`` runs every statement on each of its
dialects."""
