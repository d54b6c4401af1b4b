"""A process that saves a change and is killed before it publishes the change's event:
a script's ``main()`` run with the test app's database, its sink ``DiesOnPublish``."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from aiohttp import web

from taskpulse.keys import CONFIG

PRELUDE = textwrap.dedent("""
    import asyncio, os, sys
    from tortoise import Tortoise
    from taskpulse.config import load_config
    from taskpulse.db.setup import tortoise_config
    from taskpulse.delivery.outbox import Outbox
    from taskpulse.processes import gone_of, new_process_id

    class DiesOnPublish:
        async def publish(self, user_id, event):
            os._exit(137)           # killed after the commit, before the publish

    async def start():
        await Tortoise.init(config=tortoise_config(load_config()))
""")


def killed_after_commit(app: web.Application, script: str, *args: str) -> None:
    """Run ``script`` (its ``main()``, after ``await start()``) in another process on the
    app's database; it must die on its first publish."""
    source = PRELUDE + textwrap.dedent(script) + "\nasyncio.run(main())\n"
    env = {**os.environ, "TASKPULSE_DATABASE_URL": app[CONFIG].database_url}
    done = subprocess.run([sys.executable, "-c", source, *args], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 137, done.stderr
