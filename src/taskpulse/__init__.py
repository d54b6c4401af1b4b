"""Taskpulse: a todo list you run by talking to an AI assistant, and watch it work live."""

__version__ = "0.1.0"
