"""Configuration: ``config/default.toml``, then ``config/<env>.toml``, then ``TASKPULSE_*``.

Secrets (the token signing key, the Groq API key) come from the environment only.
The loaded configuration is a frozen dataclass; it is validated once and never logged.
"""
from __future__ import annotations

import dataclasses
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

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
    database_url: str = "sqlite://var/taskpulse.sqlite3"
    log_level: str = "INFO"
    secret_key: str = dataclasses.field(default="", repr=False)
    token_ttl_seconds: int = 7 * 24 * 3600
    cors_allowed_origins: tuple[str, ...] = ()
    max_body_bytes: int = 65536

    sio_ping_interval: int = 25
    sio_ping_timeout: int = 20
    sio_max_message_bytes: int = 65536
    sio_compression: bool = False
    sio_client_events_per_second: int = 20
    transport: str = "auto"
    redis_url: str = ""

    event_log_max_events: int = 1000
    event_log_max_age_seconds: int = 600

    llm: str = "auto"
    groq_api_key: str = dataclasses.field(default="", repr=False)
    groq_base_url: str = ""
    groq_model: str = "llama-3.3-70b-versatile"
    groq_timeout_seconds: float = 30.0
    groq_max_retries: int = 2
    agent_max_tool_rounds: int = 6
    agent_history_chars: int = 12000
    agent_token_batch_ms: int = 50
    agent_token_batch_chars: int = 120
    chat_per_minute: int = 10
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


def _coerce(name: str, value: Any) -> Any:
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
            if isinstance(value, bool):
                raise ValueError("expected a whole number")
            return int(value)
        if hint is float:
            return float(value)
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
        raise ConfigError(f"setting {name!r} has a bad value {value!r}: {exc}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    for key in data:
        if key in SECRET_FIELDS:
            raise ConfigError(f"{path}: {key!r} is a secret; set it in the environment only")
        if key not in _HINTS:
            raise ConfigError(f"{path}: unknown setting {key!r}")
    return data


def _validate(cfg: Config) -> None:
    if cfg.env not in ENVS:
        raise ConfigError(f"setting 'env' must be one of {', '.join(ENVS)}, not {cfg.env!r}")
    if not 0 <= cfg.port <= 65535:
        raise ConfigError(f"setting 'port' must be between 0 and 65535, not {cfg.port}")
    if cfg.llm not in ("auto", "groq", "offline"):
        raise ConfigError(f"setting 'llm' must be auto, groq or offline, not {cfg.llm!r}")
    if cfg.llm == "groq" and not cfg.groq_api_key:
        raise ConfigError("llm is 'groq' but GROQ_API_KEY is not set")
    if cfg.transport not in ("auto", "polling"):
        raise ConfigError(f"setting 'transport' must be auto or polling, not {cfg.transport!r}")
    if not cfg.database_url.startswith(("sqlite://", "postgres://", "postgresql://")):
        raise ConfigError("setting 'database_url' must start with sqlite:// or postgres://")
    if cfg.redis_url and not cfg.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("setting 'redis_url' must start with redis://")
    positive = ("token_ttl_seconds", "max_body_bytes", "sio_ping_interval", "sio_ping_timeout",
                "sio_max_message_bytes", "event_log_max_events", "event_log_max_age_seconds",
                "agent_max_tool_rounds", "chat_per_minute", "chat_per_day",
                "login_max_failures", "login_window_seconds", "sio_client_events_per_second")
    for name in positive:
        if getattr(cfg, name) <= 0:
            raise ConfigError(f"setting {name!r} must be positive")
    if cfg.secret_key and len(cfg.secret_key.encode()) < 32:
        raise ConfigError("TASKPULSE_SECRET_KEY must be at least 32 bytes long")


def _dev_secret(var_dir: Path) -> str:
    """A signing key for development, generated once and kept in ``var/secret_key`` (0600)."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def load_config(environ: Mapping[str, str] | None = None,
                config_dir: Path = CONFIG_DIR, **overrides: Any) -> Config:
    """Load, merge and validate the configuration; raise :class:`ConfigError` when bad."""
    env = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = dict(_read_toml(config_dir / "default.toml"))
    name = env.get("TASKPULSE_ENV") or values.get("env", "development")
    env_file = config_dir / f"{name}.toml"
    if name != "default" and env_file.exists():
        values.update(_read_toml(env_file))
    for field in _HINTS:
        key = "TASKPULSE_" + field.upper()
        if key in env:
            values[field] = env[key]
    if env.get("GROQ_API_KEY"):
        values["groq_api_key"] = env["GROQ_API_KEY"]
    if env.get("GROQ_BASE_URL"):
        values.setdefault("groq_base_url", env["GROQ_BASE_URL"])
    values.update(overrides)
    cfg = Config(**{k: _coerce(k, v) for k, v in values.items()})
    _validate(cfg)
    if not cfg.secret_key:
        if cfg.production:
            raise ConfigError("TASKPULSE_SECRET_KEY must be set in production (32+ bytes)")
        cfg = cfg.replace(secret_key=_dev_secret(Path(cfg.var_dir)))
    return cfg
