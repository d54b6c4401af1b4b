"""The public Socket.IO protocol: event models, the stream envelope, timestamps.

Lowest layer of the real-time side: no Socket.IO, no database, no I/O.
"""
