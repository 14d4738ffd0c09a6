"""Container health checks (docker-compose.yml), standard library only, exit 0 when healthy.

    python -m config.healthcheck web [URL]   GET /sante/ answers {"statut": "ok"}
    python -m config.healthcheck beat [FILE] the beat schedule file was written recently

The web check sends the Host header of the first ALLOWED_HOSTS entry and X-Forwarded-Proto: https, as the
reverse proxy does, so that neither the host validation nor SECURE_SSL_REDIRECT gets in the way.
"""

import glob
import json
import os
import sys
import time
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/sante/"
BEAT_SCHEDULE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "celerybeat-schedule")
BEAT_MAX_AGE = 15 * 60  # beat writes its schedule at least every few minutes (max loop interval 5 min)


def proxy_host():
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect (to https, to a login page) means unhealthy; it is never followed off this machine."""

    def redirect_request(self, *args, **kwargs):
        return None


def check_web(url=DEFAULT_URL, timeout=5):
    request = urllib.request.Request(url, headers={"Host": proxy_host(), "X-Forwarded-Proto": "https"})  # noqa: S310
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            body = json.loads(response.read().decode())
    except (OSError, ValueError) as exc:
        print(f"web : pas de réponse correcte de {url} ({exc})", file=sys.stderr)
        return False
    if body != {"statut": "ok"}:
        print(f"web : réponse inattendue de {url} : {body!r}", file=sys.stderr)
        return False
    return True


def check_beat(schedule=BEAT_SCHEDULE, max_age=BEAT_MAX_AGE):
    # shelve may add a suffix (.db, .dat…) depending on the dbm module available.
    files = glob.glob(glob.escape(schedule) + "*")
    if not files:
        print(f"beat : aucun fichier de planification {schedule}", file=sys.stderr)
        return False
    age = time.time() - max(os.path.getmtime(path) for path in files)
    if age > max_age:
        print(f"beat : planification non écrite depuis {int(age)} s", file=sys.stderr)
        return False
    return True


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["web"]:
        return 0 if check_web(*argv[1:2]) else 1
    if argv[:1] == ["beat"]:
        return 0 if check_beat(*argv[1:2]) else 1
    print("Usage : python -m config.healthcheck web [URL] | beat [FICHIER]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
