"""The agent: runner, tool steps, tools and prompts. It never sees Socket.IO."""
