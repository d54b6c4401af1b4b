"""The real-time fixtures (a real server, real Socket.IO tabs) for the delivery tests."""
from tests.web.socket.conftest import open_tab  # noqa: F401 (a fixture)
