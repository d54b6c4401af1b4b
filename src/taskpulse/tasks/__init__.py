"""Tasks: the one service every change goes through (REST, pages and agent tools)."""
