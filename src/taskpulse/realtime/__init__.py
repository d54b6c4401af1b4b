"""Real-time delivery over Socket.IO: server, namespace, rooms, emitter and event log."""
