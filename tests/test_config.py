"""Configuration: files, TASKPULSE_* overrides, validation messages, the secret key."""
from __future__ import annotations

import re
import secrets
import stat
from pathlib import Path
from typing import Any

import pytest

from taskpulse.config import CONFIG_DIR, Config, ConfigError, load_config

SECRET = "s" * 40


def load(tmp_path: Path, **env: str) -> Config:
    environ = {"TASKPULSE_VAR_DIR": str(tmp_path / "var"), **env}
    return load_config(environ)


def test_defaults_come_from_default_toml(tmp_path: Path) -> None:
    cfg = load(tmp_path)
    assert (cfg.env, cfg.host, cfg.port) == ("development", "127.0.0.1", 8080)
    assert cfg.database_url == "sqlite://var/taskpulse.sqlite3"
    assert cfg.token_ttl_seconds == 7 * 24 * 3600
    assert cfg.llm_provider == "offline"


def test_every_setting_in_default_toml_is_a_config_field() -> None:
    import tomllib

    data = tomllib.loads((CONFIG_DIR / "default.toml").read_text())
    fields = set(Config.__dataclass_fields__)
    assert set(data) <= fields


def test_env_file_is_layered_over_defaults(tmp_path: Path) -> None:
    cfg = load(tmp_path, TASKPULSE_ENV="test")
    assert cfg.env == "test"
    assert cfg.database_url == "sqlite://:memory:"
    assert cfg.sio_ping_interval == 2
    assert cfg.host == "127.0.0.1"          # from default.toml


@pytest.mark.parametrize("var, value, field, expected", [
    ("TASKPULSE_DATABASE_URL", "postgres://u@h:5432/db", "database_url", "postgres://u@h:5432/db"),
    ("TASKPULSE_HOST", "0.0.0.0", "host", "0.0.0.0"),
    ("TASKPULSE_PORT", "9000", "port", 9000),
    ("TASKPULSE_ENV", "test", "env", "test"),
    ("TASKPULSE_SIO_COMPRESSION", "yes", "sio_compression", True),
    ("TASKPULSE_SIO_COMPRESSION", "0", "sio_compression", False),
    ("TASKPULSE_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example",
     "cors_allowed_origins", ("https://a.example", "https://b.example")),
    ("TASKPULSE_GROQ_TIMEOUT_SECONDS", "2.5", "groq_timeout_seconds", 2.5),
    ("TASKPULSE_LOG_LEVEL", "debug", "log_level", "debug"),
])
def test_environment_variables_override_files(tmp_path: Path, var: str, value: str,
                                              field: str, expected: Any) -> None:
    assert getattr(load(tmp_path, **{var: value}), field) == expected


def test_keyword_overrides_win_over_environment(tmp_path: Path) -> None:
    cfg = load_config({"TASKPULSE_PORT": "9000", "TASKPULSE_VAR_DIR": str(tmp_path)}, port=9100)
    assert cfg.port == 9100


@pytest.mark.parametrize("env, words", [
    ({"TASKPULSE_PORT": "eighty"}, ["TASKPULSE_PORT", "'eighty'", "whole number"]),
    ({"TASKPULSE_PORT": "70000"}, ["TASKPULSE_PORT", "between 0 and 65535"]),
    ({"TASKPULSE_ENV": "staging"}, ["TASKPULSE_ENV", "'staging'", "development, test"]),
    ({"TASKPULSE_SIO_COMPRESSION": "maybe"}, ["TASKPULSE_SIO_COMPRESSION", "true or false"]),
    ({"TASKPULSE_DATABASE_URL": "mysql://x"}, ["TASKPULSE_DATABASE_URL", "sqlite://"]),
    ({"TASKPULSE_DATABASE_URL": "sqlite://"}, ["database_url"]),
    ({"TASKPULSE_LOG_LEVEL": "LOUD"}, ["log_level", "DEBUG"]),
    ({"TASKPULSE_TOKEN_TTL_SECONDS": "0"}, ["token_ttl_seconds", "positive"]),
    ({"TASKPULSE_GROQ_TIMEOUT_SECONDS": "nan"}, ["groq_timeout_seconds", "positive"]),
    ({"TASKPULSE_HOST": " "}, ["host", "empty"]),
    ({"TASKPULSE_LLM": "gpt"}, ["llm", "auto, groq or offline"]),
    ({"TASKPULSE_LLM": "groq"}, ["GROQ_API_KEY"]),
    ({"TASKPULSE_REDIS_URL": "http://x"}, ["redis_url", "redis://"]),
])
def test_bad_values_are_refused_with_a_message_naming_the_setting(
        tmp_path: Path, env: dict[str, str], words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, **env)
    for word in words:
        assert word in str(info.value)


def write_config(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "default.toml").write_text(text)
    return folder


def test_unknown_key_in_a_file_is_refused(tmp_path: Path) -> None:
    folder = write_config(tmp_path, 'prot = 80\n')
    with pytest.raises(ConfigError, match="unknown setting 'prot'"):
        load_config({}, folder)


def test_wrong_type_in_a_file_names_the_file(tmp_path: Path) -> None:
    folder = write_config(tmp_path, 'port = "x"\n')
    with pytest.raises(ConfigError, match=r"default.toml: port = 'x'"):
        load_config({}, folder)


def test_fractional_number_for_a_whole_number_setting_is_refused(tmp_path: Path) -> None:
    folder = write_config(tmp_path, 'port = 80.5\n')
    with pytest.raises(ConfigError, match="whole number"):
        load_config({}, folder)


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    folder = write_config(tmp_path, 'port = \n')
    with pytest.raises(ConfigError, match="default.toml"):
        load_config({}, folder)


def test_secret_in_a_file_is_refused(tmp_path: Path) -> None:
    folder = write_config(tmp_path, f'secret_key = "{SECRET}"\n')
    with pytest.raises(ConfigError, match="environment only"):
        load_config({}, folder)


def test_secret_key_is_taken_from_the_environment(tmp_path: Path) -> None:
    cfg = load(tmp_path, TASKPULSE_SECRET_KEY=SECRET)
    assert cfg.secret_key == SECRET
    assert not (tmp_path / "var" / "secret_key").exists()


def test_secret_never_appears_in_repr_or_str(tmp_path: Path) -> None:
    cfg = load(tmp_path, TASKPULSE_SECRET_KEY=SECRET, GROQ_API_KEY="gsk_" + "k" * 30)
    for text in (repr(cfg), str(cfg)):
        assert SECRET not in text and "gsk_" not in text


def test_short_secret_is_refused_without_echoing_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="at least 32 bytes") as info:
        load(tmp_path, TASKPULSE_SECRET_KEY="tooshort-secret")
    assert "tooshort-secret" not in str(info.value)


def test_development_secret_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    first = load(tmp_path)
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert path.read_text().strip() == first.secret_key
    assert load(tmp_path).secret_key == first.secret_key


def test_loose_permissions_on_the_secret_file_are_tightened(tmp_path: Path) -> None:
    first = load(tmp_path)
    path = tmp_path / "var" / "secret_key"
    path.chmod(0o644)
    assert load(tmp_path).secret_key == first.secret_key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_truncated_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("short\n")
    with pytest.raises(ConfigError, match="delete the file"):
        load(tmp_path)


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="TASKPULSE_SECRET_KEY must be set in production"):
        load(tmp_path, TASKPULSE_ENV="production")
    assert not (tmp_path / "var" / "secret_key").exists()


def test_production_starts_when_a_secret_is_set(tmp_path: Path) -> None:
    key = secrets.token_urlsafe(48)
    cfg = load(tmp_path, TASKPULSE_ENV="production", TASKPULSE_SECRET_KEY=key)
    assert cfg.production and cfg.secret_key == key


@pytest.mark.parametrize("make_key", [lambda: secrets.token_urlsafe(48),
                                      lambda: secrets.token_urlsafe(32),
                                      lambda: secrets.token_hex(32),
                                      lambda: secrets.token_hex(16)])
def test_production_accepts_keys_made_the_usual_ways(tmp_path: Path, make_key: Any) -> None:
    for _ in range(20):
        key = make_key()
        assert load(tmp_path, TASKPULSE_ENV="production",
                    TASKPULSE_SECRET_KEY=key).secret_key == key


DOCS_PLACEHOLDER = "<python3 -c 'import secrets; print(secrets.token_urlsafe(48))'>"


@pytest.mark.parametrize("key", [
    DOCS_PLACEHOLDER, "a" * 32, "changeme-changeme-changeme-changeme", "s" * 40,
    "qwertyuiopqwertyuiopqwertyuiop12", "replace-with-a-random-key-of-48-characters",
    "my secret key is long enough for the check!", "0123012301230123012301230123012301"])
def test_production_refuses_weak_or_placeholder_keys_without_echoing_them(
        tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match="TASKPULSE_SECRET_KEY .*token_urlsafe") as info:
        load(tmp_path, TASKPULSE_ENV="production", TASKPULSE_SECRET_KEY=key)
    assert key not in str(info.value)


@pytest.mark.parametrize("key", ["a" * 32, "changeme-changeme-changeme-changeme"])
def test_outside_production_any_long_enough_key_is_accepted(tmp_path: Path, key: str) -> None:
    assert load(tmp_path, TASKPULSE_ENV="test", TASKPULSE_SECRET_KEY=key).secret_key == key


def test_no_key_written_in_the_docs_would_start_production(tmp_path: Path) -> None:
    """What a reader could copy from the docs as it stands is refused."""
    from taskpulse.config import ROOT

    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    values = [value for path in docs for value in
              re.findall(r"TASKPULSE_SECRET_KEY=(\S.*)", path.read_text())]
    assert values, "the deployment guide shows how the key is set"
    for value in values:
        with pytest.raises(ConfigError, match="TASKPULSE_SECRET_KEY"):
            load(tmp_path, TASKPULSE_ENV="production", TASKPULSE_SECRET_KEY=value.strip())


def test_unknown_keyword_override_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown setting 'nope'"):
        load_config({"TASKPULSE_VAR_DIR": str(tmp_path)}, nope=1)


def test_readme_documents_every_setting() -> None:
    import re

    from taskpulse.config import ROOT

    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_]+)` \| `?(?:TASKPULSE_|GROQ_)", readme, re.M))
    missing = set(Config.__dataclass_fields__) - documented
    assert not missing, f"settings missing from the README's configuration table: {missing}"
