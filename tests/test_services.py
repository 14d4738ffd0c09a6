"""Embedded PostgreSQL / Redis (config/services.py) and the `make run` launcher's guards."""

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys

import psycopg
import pytest
import redis

from config import launcher, services
from config.services import BASE_DIR, EmbeddedPostgres, EmbeddedRedis, ServiceError


def snapshot(directory):
    """Names, sizes and content hashes of every file below directory."""
    result = {}
    for root, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                result[os.path.relpath(path, directory)] = hashlib.sha256(handle.read()).hexdigest()
    return result


@pytest.fixture
def redis_server(tmp_path):
    servers = []

    def make():
        server = EmbeddedRedis(tmp_path / "redis", var_dir=tmp_path)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def test_redis_keeps_its_data_across_a_restart(redis_server):
    first = redis_server()
    url = first.start()
    assert url.startswith("redis://127.0.0.1:")
    client = redis.Redis.from_url(url)
    client.set("dossier", "CER-42")
    client.close()
    pid = json.loads((first.var_dir / ".redis.json").read_text())["pid"]
    first.stop()
    assert not services.redis_ping(first.port)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)

    second = redis_server()
    client = redis.Redis.from_url(second.start())
    assert client.get("dossier") == b"CER-42"
    client.close()


def test_redis_still_used_by_another_process_is_not_stopped(redis_server, tmp_path):
    server = redis_server()
    server.start()
    # Another live launcher (here: our parent process) registered itself as a user.
    (tmp_path / ".redis.users").write_text(json.dumps([os.getppid(), os.getpid()]))
    server.stop()
    assert services.redis_ping(server.port)
    assert json.loads((tmp_path / ".redis.users").read_text()) == [os.getppid()]
    # The other user leaves: the next launcher adopts the running server and, being last, stops it.
    (tmp_path / ".redis.users").write_text("[]")
    again = redis_server()
    again.start()
    assert again.port == server.port
    again.stop()
    assert not services.redis_ping(server.port)
    assert server._process.wait(timeout=5) == 0  # clean shutdown (SIGTERM), and the child is reaped


def test_redis_with_an_unreadable_append_only_file_is_left_untouched(tmp_path):
    data = tmp_path / "redis"
    data.mkdir()
    (data / "appendonly.aof").write_text("ceci n'est pas un fichier AOF\n")
    before = snapshot(data)
    with pytest.raises(ServiceError) as excinfo:
        EmbeddedRedis(data, var_dir=tmp_path).start()
    message = str(excinfo.value)
    assert "n'a pas pu ouvrir ses données" in message
    assert "ni supprimé ni réinitialisé" in message
    assert snapshot(data) == before


def test_postgres_keeps_its_data_across_a_restart(tmp_path):
    data = tmp_path / "postgres"
    first = EmbeddedPostgres(data, var_dir=tmp_path)
    try:
        url = first.start()
        assert "/accompagnement?host=" in url
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE note (texte text)")
            conn.execute("INSERT INTO note VALUES ('premier entretien')")
    finally:
        first.stop()
    with pytest.raises(psycopg.OperationalError):  # stopped: nothing answers on its socket any more
        psycopg.connect(url, connect_timeout=2).close()

    second = EmbeddedPostgres(data, var_dir=tmp_path)
    try:
        url = second.start()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT texte FROM note").fetchone() == ("premier entretien",)
    finally:
        second.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2).close()


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"notes.txt": "données d'un autre outil"}, "PG_VERSION absent"),
        ({"PG_VERSION": "16\n", "global/pg_control": "x"}, "créée par PostgreSQL 16"),
        ({"PG_VERSION": "dix-huit\n"}, "endommagée"),
        ({"PG_VERSION": "18\n"}, "global/pg_control absent"),
    ],
)
def test_postgres_directory_that_cannot_be_opened_is_left_untouched(tmp_path, files, expected):
    data = tmp_path / "postgres"
    for name, content in files.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(content)
    before = snapshot(data)
    with pytest.raises(ServiceError) as excinfo:
        EmbeddedPostgres(data, var_dir=tmp_path).start()
    message = str(excinfo.value)
    assert expected in message
    assert "Rien n'a été modifié" in message
    assert "DATABASE_URL" in message
    assert snapshot(data) == before


def test_postgres_with_a_corrupt_control_file_reports_the_log_and_keeps_the_directory(tmp_path):
    data = tmp_path / "postgres"
    (data / "global").mkdir(parents=True)
    (data / "PG_VERSION").write_text("18\n")
    (data / "global" / "pg_control").write_bytes(b"garbage")
    before = snapshot(data)
    with pytest.raises(ServiceError) as excinfo:
        EmbeddedPostgres(data, var_dir=tmp_path).start()
    assert "n'a pas pu être ouverte" in str(excinfo.value)
    assert "ni supprimé ni réinitialisé" in str(excinfo.value)
    assert snapshot(data) == before


def test_port_in_use_is_detected_and_explained():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert services.port_in_use(port)
        message = services.port_busy_message(port)
        assert f"Le port {port}" in message
        assert f"sport = :{port}" in message
        assert f"PID {os.getpid()}" in message
    assert not services.port_in_use(port)


def test_launcher_refuses_a_busy_port_before_starting_anything(monkeypatch):
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)

    def must_not_start(*args, **kwargs):
        raise AssertionError("les services ne doivent pas démarrer")

    monkeypatch.setattr(launcher, "embedded_services", must_not_start)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        monkeypatch.setattr(launcher, "PORT", sock.getsockname()[1])
        with pytest.raises(launcher.LaunchError, match=f"Le port {launcher.PORT}"):
            launcher.run()


def run_python(code, **env):
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=full_env, capture_output=True, text=True, timeout=60
    )


EXTERNAL = {"DATABASE_URL": "postgresql://u@127.0.0.1:1/x", "REDIS_URL": "redis://127.0.0.1:1/0"}


def test_exec_returns_the_command_exit_code_and_starts_nothing_when_urls_are_set():
    code = "import sys; from config.services import main; sys.exit(main(['exec', '--', sys.executable, '-c', 'raise SystemExit(3)']))"
    result = run_python(code, **EXTERNAL)
    assert result.returncode == 3, result.stderr
    assert "embarqué" not in result.stderr


def test_exec_reports_a_command_killed_by_a_signal_as_128_plus_signal():
    inner = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    code = (
        f"import sys; from config.services import main; sys.exit(main(['exec', '--', sys.executable, '-c', {inner!r}]))"
    )
    result = run_python(code, **EXTERNAL)
    assert result.returncode == 128 + signal.SIGTERM


def test_exec_explains_an_invalid_database_url_without_a_traceback():
    result = run_python(
        "import sys; from config.services import main; sys.exit(main(['exec', '--', 'true']))",
        DATABASE_URL="mysql://localhost/base",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 1
    assert "Configuration invalide" in result.stderr
    assert "DATABASE_URL doit être une URL postgresql://" in result.stderr
    assert "Traceback" not in result.stderr


def test_exec_does_not_pass_on_the_settings_module_that_importing_config_sets():
    code = "from config.services import child_environ; import os; print(os.environ.get('DJANGO_SETTINGS_MODULE'), child_environ().get('DJANGO_SETTINGS_MODULE'))"
    assert run_python(code).stdout.split() == ["config.settings", "None"]
    assert (
        run_python(code, DJANGO_SETTINGS_MODULE="config.test_settings").stdout.split() == ["config.test_settings"] * 2
    )


def test_launcher_reports_invalid_settings_by_variable_name_without_a_traceback():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        free_port = sock.getsockname()[1]
    code = f"import sys; from config import launcher; launcher.PORT = {free_port}; sys.exit(launcher.main())"
    result = run_python(code, DEBUG="peut-etre", **EXTERNAL)
    assert result.returncode == 1
    assert "Configuration invalide : La variable DEBUG doit valoir true ou false" in result.stderr
    assert "Traceback" not in result.stderr


def test_exec_passes_sigterm_on_to_the_command_and_returns_its_status():
    inner = "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *a: sys.exit(42)); print('prêt', flush=True); time.sleep(30)"
    code = (
        f"import sys; from config.services import main; sys.exit(main(['exec', '--', sys.executable, '-c', {inner!r}]))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | EXTERNAL
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout.readline().strip() == "prêt"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 42
    finally:
        process.kill()
        process.wait()
        process.stdout.close()
        process.stderr.close()
