"""`make bench`: Taskpulse's fan-out measured side by side with a Node Socket.IO server."""
