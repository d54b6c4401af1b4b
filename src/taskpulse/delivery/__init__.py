"""Getting events to a user's stream: the event log (memory, Redis), the publisher
interface the services use, per-user locks. No Socket.IO import: the publisher that
emits to connections lives in ``web.socket``."""
