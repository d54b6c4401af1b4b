"""Configuration: ``config/default.toml``, then ``config/<env>.toml``, then ``TASKPULSE_*``.

Secrets (the token signing key, the Groq API key) come from the environment only.
The loaded configuration is a frozen dataclass; it is validated once and never logged.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from taskpulse.signing_key import HOW_TO_MAKE_ONE, signing_key_problem

ROOT = Path(__file__).resolve().parents[2]
CONFIG_DIR = ROOT / "config"
ENVS = ("development", "test", "production")
SECRET_FIELDS = ("secret_key", "groq_api_key")


class ConfigError(ValueError):
    """A setting is missing or has a bad value; the message says which and why."""


@dataclasses.dataclass(frozen=True)
class Config:
    env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8080
    listen_backlog: int = 2048
    database_url: str = "sqlite://var/taskpulse.sqlite3"
    log_level: str = "INFO"
    secret_key: str = dataclasses.field(default="", repr=False)
    token_ttl_seconds: int = 7 * 24 * 3600
    socket_token_ttl_seconds: int = 3600
    cors_allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    max_body_bytes: int = 65536

    sio_ping_interval: int = 25
    sio_ping_timeout: int = 20
    sio_max_message_bytes: int = 65536
    sio_compression: bool = False
    sio_library_hooks: bool = True
    sio_fast_fanout: bool = True
    sio_lean_connections: bool = True
    sio_lean_upgrades: bool = True
    sio_lean_reader: bool = True
    sio_room_index: bool = True
    sio_quick_drop: bool = True
    sio_skip_undecodable_frames: bool = True
    sio_relay_packets: bool = True
    http_json_parse_errors: bool = True
    http_nodelay_once: bool = True
    http_tcp_keepalive: bool = False
    sio_client_events_per_second: int = 20
    sio_max_connections_per_user: int = 20
    transport: str = "auto"
    redis_url: str = ""
    redis_prefix: str = "taskpulse"
    redis_max_connections: int = 200
    redis_pool_timeout_seconds: float = 5.0
    process_heartbeat_seconds: float = 1.0
    shutdown_grace_seconds: float = 10.0

    event_log_max_events: int = 1000
    event_log_max_age_seconds: int = 600
    event_log_ttl_seconds: int = 3600

    llm: str = "auto"
    groq_api_key: str = dataclasses.field(default="", repr=False)
    groq_base_url: str = ""
    groq_model: str = "llama-3.3-70b-versatile"
    groq_timeout_seconds: float = 30.0
    groq_max_retries: int = 2
    agent_max_tool_rounds: int = 6
    agent_max_tool_calls_per_turn: int = 8
    agent_history_chars: int = 12000
    agent_token_batch_ms: int = 90
    agent_token_batch_chars: int = 120
    agent_run_timeout_seconds: int = 300
    offline_chunk_delay_ms: int = 15
    chat_per_minute: int = 30
    chat_per_day: int = 100

    login_max_failures: int = 5
    login_window_seconds: int = 300

    var_dir: str = str(ROOT / "var")

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def llm_provider(self) -> str:
        """The provider actually used: ``groq`` or ``offline``."""
        if self.llm == "auto":
            return "groq" if self.groq_api_key else "offline"
        return self.llm

    def replace(self, **changes: Any) -> "Config":
        return dataclasses.replace(self, **changes)


_HINTS = get_type_hints(Config)


def _describe(name: str, value: Any, source: str) -> str:
    """How an error names a value: where it came from, and the value unless it is secret."""
    shown = "<hidden>" if name in SECRET_FIELDS else repr(value)
    return f"{source} = {shown}"


def _coerce(name: str, value: Any, source: str = "") -> Any:
    """Turn a TOML value or an environment string into the field's type."""
    hint = _HINTS[name]
    try:
        if hint is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError("expected true or false")
        if hint is int:
            if isinstance(value, (bool, float)):
                raise ValueError("expected a whole number")
            try:
                return int(value)
            except ValueError:
                raise ValueError("expected a whole number") from None
        if hint is float:
            if isinstance(value, bool):
                raise ValueError("expected a number")
            try:
                return float(value)
            except ValueError:
                raise ValueError("expected a number") from None
        if get_origin(hint) is tuple and get_args(hint)[0] is str:
            if isinstance(value, str):
                return tuple(part.strip() for part in value.split(",") if part.strip())
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return tuple(value)
            raise ValueError("expected a list of strings")
        if not isinstance(value, str):
            raise ValueError("expected a string")
        return value
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"bad value for setting {name!r} "
                          f"({_describe(name, value, source or name)}): {exc}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    for key in data:
        if key in SECRET_FIELDS:
            raise ConfigError(f"{path}: {key!r} is a secret; set it in the environment only")
        if key not in _HINTS:
            raise ConfigError(f"{path}: unknown setting {key!r}")
    return data


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_POSITIVE = ("listen_backlog", "token_ttl_seconds", "max_body_bytes", "sio_ping_interval",
             "sio_ping_timeout",
             "sio_max_message_bytes", "event_log_max_events", "event_log_max_age_seconds",
             "agent_max_tool_rounds", "agent_history_chars", "agent_token_batch_chars",
             "chat_per_minute", "chat_per_day", "login_max_failures", "login_window_seconds",
             "sio_client_events_per_second", "groq_timeout_seconds",
             "sio_max_connections_per_user", "agent_max_tool_calls_per_turn",
             "agent_run_timeout_seconds", "socket_token_ttl_seconds",
             "event_log_ttl_seconds", "process_heartbeat_seconds",
             "redis_max_connections", "redis_pool_timeout_seconds")
_NOT_NEGATIVE = ("groq_max_retries", "agent_token_batch_ms", "offline_chunk_delay_ms",
                 "shutdown_grace_seconds")


def _validate(cfg: Config, sources: Mapping[str, str]) -> None:
    def bad(name: str, why: str) -> ConfigError:
        where = _describe(name, getattr(cfg, name), sources.get(name, name))
        return ConfigError(f"bad value for setting {name!r} ({where}): {why}")

    if cfg.env not in ENVS:
        raise bad("env", f"must be one of {', '.join(ENVS)}")
    if not cfg.host.strip():
        raise bad("host", "must not be empty")
    if not 0 <= cfg.port <= 65535:
        raise bad("port", "must be between 0 and 65535")
    if cfg.log_level.upper() not in LOG_LEVELS:
        raise bad("log_level", f"must be one of {', '.join(LOG_LEVELS)}")
    if cfg.llm not in ("auto", "groq", "offline"):
        raise bad("llm", "must be auto, groq or offline")
    if cfg.llm == "groq" and not cfg.groq_api_key:
        raise ConfigError("llm is 'groq' but GROQ_API_KEY is not set")
    if cfg.transport not in ("auto", "polling"):
        raise bad("transport", "must be auto or polling")
    scheme, sep, rest = cfg.database_url.partition("://")
    if not sep or scheme not in ("sqlite", "postgres", "postgresql") or not rest:
        raise bad("database_url", "must look like sqlite://PATH or postgres://USER@HOST/DB")
    if cfg.redis_url and not cfg.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise bad("redis_url", "must start with redis://, rediss:// or unix://")
    if not cfg.redis_prefix or any(c.isspace() for c in cfg.redis_prefix):
        raise bad("redis_prefix", "must be a non-empty name without spaces")
    for name in _POSITIVE:
        value = getattr(cfg, name)
        if not value > 0 or not math.isfinite(value):
            raise bad(name, "must be a positive number")
    for name in _NOT_NEGATIVE:
        if getattr(cfg, name) < 0:
            raise bad(name, "must not be negative")
    for entry in cfg.trusted_proxies:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            raise bad("trusted_proxies", f"{entry!r} is not an IP address or network "
                                         "(e.g. 10.0.0.1 or 10.0.0.0/8)") from None
    problem = signing_key_problem(cfg.secret_key, production=cfg.production) \
        if cfg.secret_key else None
    if problem is not None:     # the key itself is never shown
        raise ConfigError(f"TASKPULSE_SECRET_KEY {problem}; {HOW_TO_MAKE_ONE}")


def _dev_secret(var_dir: Path) -> str:
    """A signing key for development, generated once and kept in ``var/secret_key`` (0600)."""
    path = var_dir / "secret_key"
    try:
        var_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made earlier (or just now by another process)
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
            key = path.read_text().strip()
        else:
            key = secrets.token_urlsafe(48)
            with os.fdopen(fd, "w") as fh:
                fh.write(key + "\n")
    except OSError as exc:
        raise ConfigError(f"cannot keep the development secret key in {path}: "
                          f"{exc.strerror}; set TASKPULSE_SECRET_KEY instead") from None
    if len(key.encode()) < 32:
        raise ConfigError(f"{path} holds a key shorter than 32 bytes; delete the file "
                          "to have a new one generated")
    return key


def load_config(environ: Mapping[str, str] | None = None,
                config_dir: Path = CONFIG_DIR, **overrides: Any) -> Config:
    """Load, merge and validate the configuration; raise :class:`ConfigError` when bad.

    Order (later wins): ``default.toml``, ``<env>.toml``, ``TASKPULSE_*`` variables,
    then ``overrides`` (command-line options)."""
    env = dict(os.environ if environ is None else environ)
    default_file = config_dir / "default.toml"
    values: dict[str, Any] = dict(_read_toml(default_file))
    sources = {key: f"{default_file.name}: {key}" for key in values}
    name = env.get("TASKPULSE_ENV") or values.get("env", "development")
    if name not in ENVS:
        raise ConfigError(f"bad value for setting 'env' (TASKPULSE_ENV = {name!r}): "
                          f"must be one of {', '.join(ENVS)}")
    env_file = config_dir / f"{name}.toml"
    if env_file.exists():
        extra = _read_toml(env_file)
        values.update(extra)
        sources.update({key: f"{env_file.name}: {key}" for key in extra})
    for field in _HINTS:
        key = "TASKPULSE_" + field.upper()
        if key in env:
            values[field], sources[field] = env[key], key
    if env.get("GROQ_API_KEY"):
        values["groq_api_key"], sources["groq_api_key"] = env["GROQ_API_KEY"], "GROQ_API_KEY"
    if env.get("GROQ_BASE_URL") and "groq_base_url" not in values:
        values["groq_base_url"], sources["groq_base_url"] = env["GROQ_BASE_URL"], "GROQ_BASE_URL"
    for key, value in overrides.items():
        if key not in _HINTS:
            raise ConfigError(f"unknown setting {key!r}")
        values[key], sources[key] = value, f"option {key}"
    cfg = Config(**{k: _coerce(k, v, sources.get(k, k)) for k, v in values.items()})
    _validate(cfg, sources)
    if not cfg.secret_key:
        if cfg.production:
            raise ConfigError("TASKPULSE_SECRET_KEY must be set in production "
                              "(at least 32 bytes; e.g. python -c 'import secrets; "
                              "print(secrets.token_urlsafe(48))')")
        cfg = cfg.replace(secret_key=_dev_secret(Path(cfg.var_dir)))
    return cfg
