"""``taskpulse serve | migrate | create-user`` (also ``python -m taskpulse``).

Exit status: 0 on success, 1 when the work failed (database unreachable, e-mail taken, port
in use), 2 for bad usage or configuration. Errors are one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from typing import Any

from taskpulse.config import Config, ConfigError, load_config

log = logging.getLogger("taskpulse")


class CommandError(Exception):
    """A failure to report in one line; ``status`` is the exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def _setup_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _database_error(exc: BaseException) -> CommandError:
    from tortoise.exceptions import OperationalError

    if isinstance(exc, OperationalError):
        return CommandError(f"database error: {exc} (has `taskpulse migrate` been run?)")
    return CommandError(f"cannot use the database: {exc}")


def _serve(config: Config, args: argparse.Namespace) -> int:
    from tortoise.exceptions import BaseORMException

    from taskpulse.app import create_app
    from taskpulse.db.setup import DatabaseNotReady
    from taskpulse.serving.gc_tuning import freeze_after_startup
    from taskpulse.serving.graceful_stop import serve

    try:
        import uvloop
        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is optional off Linux
        pass
    app = create_app(config)
    freeze_after_startup(app)

    def announce() -> None:   # called once it is listening
        log.info("Taskpulse on http://%s:%s (model: %s)", config.host, config.port,
                 config.llm_provider)
    try:   # until SIGTERM / Ctrl-C, then a graceful stop (see taskpulse.serving.graceful_stop)
        asyncio.run(serve(app, config.host, config.port, shutdown_timeout=5, ready=announce))
    except DatabaseNotReady as exc:
        raise CommandError(str(exc)) from None
    except (OSError, BaseORMException) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, ConnectionError):
            raise CommandError(f"cannot listen on {config.host}:{config.port}: "
                               f"{exc.strerror or exc}") from None
        raise _database_error(exc) from None
    log.info("Taskpulse stopped")
    return 0


def _migrate(config: Config, args: argparse.Namespace) -> int:
    from tortoise.exceptions import BaseORMException

    from taskpulse.db.setup import migrate

    try:
        asyncio.run(migrate(config, progress=print))
    except (OSError, BaseORMException) as exc:
        raise _database_error(exc) from None
    print("database is up to date")
    return 0


def _makemigrations(config: Config, args: argparse.Namespace) -> int:
    from taskpulse.db.setup import make_migrations

    paths = asyncio.run(make_migrations(config, args.name))
    for path in paths:
        print(f"created {path}")
    if not paths:
        print("no model changes")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password:
        return str(args.password)
    try:
        if sys.stdin.isatty():
            return getpass.getpass("Password: ")
        return sys.stdin.readline().rstrip("\n")
    except (EOFError, KeyboardInterrupt):
        raise CommandError("no password given") from None


def _create_user(config: Config, args: argparse.Namespace) -> int:
    from pydantic import ValidationError
    from tortoise import Tortoise
    from tortoise.exceptions import BaseORMException

    from taskpulse.auth.accounts import AccountError, SignupIn, create_user
    from taskpulse.db.setup import tortoise_config

    password = _read_password(args)
    try:
        data = SignupIn(email=args.email, password=password, name=args.name or "")
    except ValidationError as exc:
        err = exc.errors()[0]
        message = str(err["msg"]).removeprefix("Value error, ")
        raise CommandError(f"{err['loc'][0]}: {message}", status=2) from None

    async def run() -> Any:
        ctx = await Tortoise.init(config=tortoise_config(config))
        try:
            return await create_user(data)
        finally:
            await ctx.close_connections()

    try:
        user = asyncio.run(run())
    except AccountError as exc:
        raise CommandError(exc.message) from None
    except (OSError, BaseORMException) as exc:
        raise _database_error(exc) from None
    print(f"created user {user.email} ({user.id})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taskpulse", description="Taskpulse: a todo list run by talking to an assistant.",
        epilog="Settings come from config/*.toml and TASKPULSE_* environment variables.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", help="address to listen on (TASKPULSE_HOST)")
    serve.add_argument("--port", type=int, help="port to listen on (TASKPULSE_PORT)")
    serve.set_defaults(func=_serve)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    mm = sub.add_parser("makemigrations",
                        help="(developers) write a migration for changes to db/models.py")
    mm.add_argument("--name", help="a short name for the migration, e.g. add_task_tags")
    mm.set_defaults(func=_makemigrations)
    cu = sub.add_parser("create-user", help="create an account")
    cu.add_argument("email")
    cu.add_argument("--name", help="display name (default: the part before @)")
    cu.add_argument("--password",
                    help="the password (default: prompt, or one line from standard input)")
    cu.set_defaults(func=_create_user)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    overrides = {key: value for key in ("host", "port")
                 if (value := getattr(args, key, None)) is not None}
    try:
        config = load_config(**overrides)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    _setup_logging(config.log_level)
    try:
        return int(args.func(config, args))
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
