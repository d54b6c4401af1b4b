"""The only package that touches private parts of python-socketio, python-engineio and
aiohttp, or replaces their classes (see ``hooks``: each hook has a setting, a contract
checked against the installed libraries, and the libraries are pinned exactly).
``python -m taskpulse.tools.layering`` refuses such access anywhere else."""
