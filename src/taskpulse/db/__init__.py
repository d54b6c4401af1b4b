"""Database: models, Tortoise set-up and migrations."""
