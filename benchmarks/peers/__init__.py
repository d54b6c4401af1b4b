"""Comparison servers for the benchmark (never part of Taskpulse itself)."""
