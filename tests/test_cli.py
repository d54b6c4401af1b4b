"""The command line, run as a user would: ``python -m taskpulse ...`` in a subprocess."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from taskpulse.app import create_app
from taskpulse.config import ROOT
from tests.conftest import TEST_SECRET, make_config

PASSWORD = "correct horse battery"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment with a temporary SQLite file; no TASKPULSE_*/GROQ_* of the caller."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKPULSE_", "GROQ_"))}
    env.update(TASKPULSE_DATABASE_URL=f"sqlite://{tmp_path}/db.sqlite3",
               TASKPULSE_VAR_DIR=str(tmp_path / "var"), TASKPULSE_LOG_LEVEL="WARNING")
    return env


def run(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "taskpulse", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.fixture
def migrated(env: dict[str, str]) -> dict[str, str]:
    result = run("migrate", env=env)
    assert result.returncode == 0, result.stderr
    return env


def test_help_lists_the_commands(env):
    result = run("--help", env=env)
    assert result.returncode == 0
    for command in ("serve", "migrate", "create-user"):
        assert command in result.stdout


def test_the_console_script_is_installed(env):
    script = Path(sys.executable).parent / "taskpulse"
    result = subprocess.run([str(script), "--help"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and "create-user" in result.stdout


def test_no_command_is_a_usage_error(env):
    result = run(env=env)
    assert result.returncode == 2 and "COMMAND" in result.stderr


async def test_create_user_makes_an_account_that_can_log_in(migrated, aiohttp_client):
    result = run("create-user", "Ann@Example.com", "--name", "Ann", "--password", PASSWORD,
                 env=migrated)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("created user ann@example.com (")
    again = run("create-user", "ann@example.com", "--password", PASSWORD, env=migrated)
    assert again.returncode == 1
    assert again.stderr.strip() == "error: An account with this email already exists."
    app = create_app(make_config(database_url=migrated["TASKPULSE_DATABASE_URL"]))
    client = await aiohttp_client(app)
    resp = await client.post("/api/auth/login", json={"email": "ann@example.com",
                                                      "password": PASSWORD})
    assert resp.status == 200
    assert (await resp.json())["user"]["name"] == "Ann"


def test_create_user_reads_the_password_from_standard_input(migrated):
    result = run("create-user", "bob@example.com", env=migrated, stdin=PASSWORD + "\n")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("args, message", [
    (["not-an-email", "--password", PASSWORD], "error: email: enter a valid email address"),
    (["ann@example.com", "--password", "short"], "error: password:"),
])
def test_create_user_with_bad_input_is_exit_2_with_one_line(migrated, args, message):
    result = run("create-user", *args, env=migrated)
    assert result.returncode == 2
    assert result.stderr.startswith(message) and "Traceback" not in result.stderr


def test_create_user_before_migrate_says_to_migrate(env):
    result = run("create-user", "ann@example.com", "--password", PASSWORD, env=env)
    assert result.returncode == 1
    assert "taskpulse migrate" in result.stderr and "Traceback" not in result.stderr


def test_bad_configuration_is_exit_2_with_a_clear_message(env):
    result = run("migrate", env={**env, "TASKPULSE_PORT": "eighty"})
    assert result.returncode == 2
    assert result.stderr.strip() == ("configuration error: bad value for setting 'port' "
                                     "(TASKPULSE_PORT = 'eighty'): expected a whole number")


def test_production_without_a_secret_refuses_to_serve(env, tmp_path):
    result = run("serve", env={**env, "TASKPULSE_ENV": "production"})
    assert result.returncode == 2
    assert "TASKPULSE_SECRET_KEY must be set in production" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()


def test_a_bad_secret_is_never_printed(env):
    secret = "short-but-very-secret"
    result = run("migrate", env={**env, "TASKPULSE_SECRET_KEY": secret})
    assert result.returncode == 2
    assert secret not in result.stderr + result.stdout


def test_serve_refuses_an_unmigrated_database(env):
    result = run("serve", "--port", "0", env={**env, "TASKPULSE_SECRET_KEY": TEST_SECRET})
    assert result.returncode == 1
    assert "run `taskpulse migrate`" in result.stderr and "Traceback" not in result.stderr


def test_serve_on_a_port_in_use_says_so(migrated):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("serve", "--port", str(port), env=migrated)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_port_option_is_validated(env):
    result = run("serve", "--port", "70000", env=env)
    assert result.returncode == 2 and "between 0 and 65535" in result.stderr


def test_migrate_with_an_unreachable_database_is_one_line(env):
    result = run("migrate", env={**env, "TASKPULSE_DATABASE_URL": "postgres://x@127.0.0.1:1/x"})
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot use the database:")
    assert "Traceback" not in result.stderr
