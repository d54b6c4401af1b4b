"""Run an aiohttp app for the benchmark on 127.0.0.1 and print ``READY <port>``."""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable

from aiohttp import web


def parse_args(extra: Callable[[argparse.ArgumentParser], None] | None = None
               ) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--uvloop", action="store_true", help="use uvloop's event loop")
    if extra:
        extra(parser)
    return parser.parse_args()


async def _serve(make_app: Callable[[], web.Application], port: int) -> None:
    app = make_app()
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=4096)
    await site.start()
    server = getattr(site, "_server")
    real_port = server.sockets[0].getsockname()[1]
    print(f"READY {real_port}", flush=True)   # CLI output: the orchestrator reads it
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runner.cleanup()


def run(make_app: Callable[[], web.Application], port: int, use_uvloop: bool) -> None:
    profile_to = os.environ.get("BENCH_PROFILE")   # a path: write cProfile stats there
    if profile_to:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    if use_uvloop:
        import uvloop
        uvloop.run(_serve(make_app, port))
    else:
        asyncio.run(_serve(make_app, port))
    if profile_to:
        profiler.disable()
        profiler.dump_stats(profile_to)
    sys.exit(0)
