"""HTTP: the URL table, JSON API handlers, pages and middleware."""
