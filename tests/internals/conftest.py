"""The hooks are tested through real tabs: the socket suite's fixtures."""
from tests.web.socket.conftest import new_tab, open_tab  # noqa: F401
