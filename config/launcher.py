"""`make run`: the whole application on this machine, in one command.

Embedded PostgreSQL and Redis (config/services.py) unless DATABASE_URL / REDIS_URL point elsewhere,
migrations, demo data, then the web server, a Celery worker and Celery beat. Ctrl-C stops every
process started here, then the embedded servers.
"""

import contextlib
import ctypes
import importlib
import os
import signal
import subprocess
import sys
import time
import urllib.request

from config.services import (
    BASE_DIR,
    ServiceError,
    child_environ,
    embedded_services,
    port_busy_message,
    port_in_use,
)

HOST = "127.0.0.1"
PORT = 8000
URL = f"http://{HOST}:{PORT}/"
PYTHON = sys.executable
MANAGE = str(BASE_DIR / "manage.py")
STOP_TIMEOUT = 20  # seconds a process gets to stop before it is killed


class LaunchError(Exception):
    """French message shown to the user, without a traceback."""


def say(message):
    print(message, flush=True)


def _die_with_parent():  # pragma: no cover - runs in the child between fork and exec
    """Children get SIGTERM if the launcher itself is killed (Linux), so nothing is left behind."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def setup_django():
    """Loads the settings in this process: a bad variable is reported by its name, not a traceback."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        raise LaunchError(f"Configuration invalide : {exc}") from None


def manage(*args, env):
    say(f"→ manage.py {' '.join(args)}")
    result = subprocess.run([PYTHON, MANAGE, *args], env=env, cwd=BASE_DIR, check=False)  # noqa: S603
    if result.returncode != 0:
        raise LaunchError(f"`manage.py {' '.join(args)}` a échoué (code {result.returncode}).")


def demo_accounts():
    """(username, password, role label) tuples from demo.COMPTES, when the demo app provides them."""
    try:
        module = importlib.import_module("demo")
    except ImportError:
        return []
    return list(getattr(module, "COMPTES", []) or [])


def demo_totp_key():
    """The published second-factor key of the demo accounts (demo.CLE_TOTP_DEMO), if any."""
    try:
        module = importlib.import_module("demo")
    except ImportError:
        return None
    return getattr(module, "CLE_TOTP_DEMO", None)


def demo_api_token():
    """The published API token of the demo (demo.JETON_API_DEMO), if any."""
    try:
        module = importlib.import_module("demo")
    except ImportError:
        return None
    return getattr(module, "JETON_API_DEMO", None)


class Processes:
    """The long-running children: each in its own process group, stopped together."""

    def __init__(self, env):
        self.env = env
        self.children = []  # (name, Popen)

    def start(self, name, command):
        process = subprocess.Popen(  # noqa: S603 - commands built here
            command,
            env=self.env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            process_group=0,  # the terminal's Ctrl-C reaches the launcher only; it stops them in order
            preexec_fn=_die_with_parent,
        )
        self.children.append((name, process))
        return process

    def first_dead(self):
        for name, process in self.children:
            if process.poll() is not None:
                return name, process.returncode
        return None

    def stop(self):
        for _name, process in self.children:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, process in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} ne s'arrête pas, il est tué.")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            # Whatever the child left in its group (a Celery pool process, say) goes too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


def wait_until_up(url, processes, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = processes.first_dead()
        if dead:
            raise LaunchError(f"{dead[0]} s'est arrêté au démarrage (code {dead[1]}).")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local URL
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise LaunchError(f"Le serveur web ne répond pas sur {url} après {timeout} secondes.")


def banner(accounts, totp_key=None, api_token=None):
    lines = ["", "=" * 72, f"  L'application est prête : {URL}", ""]
    if accounts:
        lines.append("  Comptes de démonstration (identifiant / mot de passe / rôle) :")
        width = max(len(str(account[0])) for account in accounts)
        for username, password, role in accounts:
            lines.append(f"    {str(username):<{width}}  {password}  {role}")
        lines.append("")
        if totp_key:
            lines += [
                "  Double authentification : ces comptes sont déjà enrôlés avec la clé de démonstration",
                f"    {totp_key}",
                "  (à ajouter dans une application d'authentification), ou, sans téléphone, dans un autre terminal :",
                "    make code-demo      affiche le code du moment (manage.py code_demo)",
                "",
            ]
    if api_token:
        lines += [
            "  API (territoire de Saint-Dié-des-Vosges, vue du délégué, lecture seule) : jeton de démonstration",
            f"    {api_token}",
            f'    curl -H "Authorization: Bearer {api_token}" {URL}api/v1/mesures/',
            f"  Documentation : {URL}api/v1/documentation/",
            "",
        ]
    lines += ["  Ctrl-C arrête le serveur web, le worker Celery, Celery beat et les bases embarquées.", "=" * 72, ""]
    say("\n".join(lines))


def run():
    os.chdir(BASE_DIR)
    # Local defaults only; a value the user set is never replaced.
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("SECRET_KEY", "dev-make-run-seulement-ne-pas-utiliser-en-production")
    if port_in_use(PORT, HOST):
        raise LaunchError(port_busy_message(PORT, HOST))

    with embedded_services():
        setup_django()
        from django.conf import settings
        from django.core.management import get_commands

        env = child_environ()
        env["DJANGO_SETTINGS_MODULE"] = "config.settings"
        env.setdefault("PYTHONUNBUFFERED", "1")
        manage("migrate", "--noinput", env=env)
        demo_loaded = "demo" in get_commands() and settings.DEBUG
        if demo_loaded:
            manage("demo", env=env)
        elif not settings.DEBUG:
            say("DEBUG=false : pas de données de démonstration (leurs identifiants sont publiés).")
        else:
            say("Remarque : la commande `manage.py demo` n'existe pas encore ; pas de données de démonstration.")
        if not settings.DEBUG:
            # runserver serves static files itself in DEBUG; otherwise whitenoise needs the collected files.
            manage("collectstatic", "--noinput", "--verbosity", "0", env=env)
        if port_in_use(PORT, HOST):
            raise LaunchError(port_busy_message(PORT, HOST))

        schedule = BASE_DIR / "var" / "celerybeat-schedule"
        celery = [PYTHON, "-m", "celery", "-A", "config"]
        processes = Processes(env)
        stop_requested = []

        def request_stop(signum, frame):
            stop_requested.append(signum)

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            processes.start("Serveur web", [PYTHON, MANAGE, "runserver", f"{HOST}:{PORT}", "--noreload"])
            processes.start("Worker Celery", [*celery, "worker", "-l", "info", "--concurrency", "2"])
            processes.start("Celery beat", [*celery, "beat", "-l", "info", "--schedule", str(schedule)])
            wait_until_up(f"{URL}sante/", processes)
            banner(
                demo_accounts() if demo_loaded else [],
                demo_totp_key() if demo_loaded else None,
                demo_api_token() if demo_loaded else None,
            )
            while not stop_requested:
                dead = processes.first_dead()
                if dead:
                    raise LaunchError(f"{dead[0]} s'est arrêté (code {dead[1]}) ; arrêt de l'ensemble.")
                time.sleep(0.3)
            say("\nArrêt demandé : arrêt du serveur web, du worker et de beat…")
        finally:
            # Signals wait until everything is stopped: a second Ctrl-C must not leave orphans.
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            try:
                processes.stop()
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    say("Tout est arrêté.")
    return 0


def main():
    try:
        return run()
    except (LaunchError, ServiceError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
