"""``taskpulse serve | migrate | create-user`` (also ``python -m taskpulse``)."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys

from taskpulse.config import ConfigError, load_config

log = logging.getLogger("taskpulse")


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from taskpulse.app import create_app

    config = load_config()
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    config = config.replace(**overrides)
    _setup_logging(config.log_level)
    try:
        import uvloop
        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is optional off Linux
        pass
    app = create_app(config)
    log.info("Taskpulse on http://%s:%s (model: %s)", config.host, config.port,
             config.llm_provider)
    web.run_app(app, host=config.host, port=config.port, shutdown_timeout=5,
                print=None, access_log=None)
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from taskpulse.db.setup import migrate

    config = load_config()
    _setup_logging(config.log_level)
    asyncio.run(migrate(config))
    return 0


def _create_user(args: argparse.Namespace) -> int:
    from pydantic import ValidationError
    from tortoise import Tortoise

    from taskpulse.auth.accounts import AccountError, SignupIn, create_user
    from taskpulse.db.setup import tortoise_config

    config = load_config()
    _setup_logging(config.log_level)
    password = args.password or getpass.getpass("Password: ")
    try:
        data = SignupIn(email=args.email, password=password, name=args.name or "")
    except ValidationError as exc:
        print(f"error: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2

    async def run() -> int:
        ctx = await Tortoise.init(config=tortoise_config(config))
        try:
            user = await create_user(data)
        except AccountError as exc:
            print(f"error: {exc.message}", file=sys.stderr)
            return 1
        finally:
            await ctx.close_connections()
        print(f"created user {user.email} ({user.id})")
        return 0

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="taskpulse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    cu = sub.add_parser("create-user", help="create an account")
    cu.add_argument("email")
    cu.add_argument("--name")
    cu.add_argument("--password", help="read from a prompt when omitted")
    cu.set_defaults(func=_create_user)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
