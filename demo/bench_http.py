"""`manage.py bench --http`: what a person waits for (issue 18 §1). The application is served by gunicorn as in
production (`DEBUG=false`, production settings, 2 workers) on the synthetic base; each page is requested over
HTTP by a session logged in through the real login (password, then the TOTP code of the user's device), at
concurrency 1 and 4, and timed beside its bare-SQL bound: the rows the page shows read by one raw query
(the compiled SQL of its main queryset), timed interleaved with the requests at concurrency 1.

The bench leaves the base as it found it: what it needs committed (a committee, a frozen contract version,
the accounts' passwords) is removed or restored at the end, the entretiens it logs are deleted (their
alerts synchronised again by the delete's signal). The access log (journal) keeps its consultations: it is
append-only by design, as for any visit. The server is started on a free port and stopped by its pid."""

import contextlib
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from config.services import find_free_port
from demo import processus, synthetique

OUVRIERS = 2  # gunicorn workers
CONCURRENCES = (1, 4)
DEMARRAGE_MAX = 90  # seconds for gunicorn to answer
ARRET_MAX = 20
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"|name="csrf-token" content="([^"]+)"')


class ErreurBench(Exception):
    pass


# --- the server ------------------------------------------------------------------------------------


def environnement_serveur(port):
    """Production settings; only what plain HTTP on 127.0.0.1 requires is relaxed (no TLS in front of it:
    no redirect to https, cookies not restricted to https), as a reverse proxy would make unnecessary."""
    env = processus._environ()  # the same database as this process
    env.update(
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        SITE_URL=f"http://127.0.0.1:{port}",
        API_DEBIT="100000/minute",  # the bench's own rhythm is not what the per-token limit is for
    )
    return env


@contextlib.contextmanager
def serveur(sortie=print):
    """gunicorn on a free port, yielded as its base URL; stopped (SIGTERM, then SIGKILL) by its pid."""
    port = find_free_port()
    env = environnement_serveur(port)
    manage = str(Path(settings.BASE_DIR) / "manage.py")
    # The manifest of the static files: production's storage refuses to render a page without it.
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, manage, "collectstatic", "--noinput", "--verbosity", "0"], env=env, check=True
    )
    journal = Path(settings.BASE_DIR) / "var" / "bench" / "gunicorn.log"
    journal.parent.mkdir(parents=True, exist_ok=True)
    commande = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(OUVRIERS), "--timeout", "120",
    ]  # fmt: skip
    with journal.open("w") as log:
        processus_serveur = subprocess.Popen(  # noqa: S603
            commande, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        sortie(f"gunicorn (pid {processus_serveur.pid}, {OUVRIERS} workers) sur {base}")
        _attendre(base, processus_serveur, journal)
        yield base
    finally:
        arreter(processus_serveur)


def _attendre(base, processus_serveur, journal):
    fin = time.monotonic() + DEMARRAGE_MAX
    while time.monotonic() < fin:
        if processus_serveur.poll() is not None:
            raise ErreurBench(f"gunicorn s'est arrêté au démarrage : {journal.read_text()[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(base + reverse("sante"), timeout=2).status_code == 200:
                return
        time.sleep(0.3)
    raise ErreurBench(f"gunicorn ne répond pas après {DEMARRAGE_MAX} s")


def arreter(processus_serveur):
    """SIGTERM to the master's process group (its workers with it), SIGKILL if it lingers."""
    if processus_serveur.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(processus_serveur.pid, signal.SIGTERM)
    try:
        processus_serveur.wait(ARRET_MAX)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(processus_serveur.pid, signal.SIGKILL)
        processus_serveur.wait()


# --- logging in -------------------------------------------------------------------------------------


def jeton_csrf(html):
    m = _CSRF.search(html)
    if not m:
        raise ErreurBench("jeton CSRF introuvable dans la page")
    return m.group(1) or m.group(2)


@contextlib.contextmanager
def mots_de_passe(users):
    """A password of the bench's for each account (the synthetic ones have none) and a confirmed TOTP
    device, as an enrolled person has; the former hash put back and the devices created removed at the
    end. Yields {user.pk: password}."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User
    from demo.clients import appareil_totp

    anciens = dict(User.objects.filter(pk__in=[u.pk for u in users]).values_list("pk", "password"))
    existants = set(TOTPDevice.objects.filter(user__in=users).values_list("pk", flat=True))
    crees = [a.pk for a in map(appareil_totp, users) if a.pk not in existants]
    mots = {}
    try:
        for user in users:
            mots[user.pk] = secrets.token_urlsafe(16)
            user.set_password(mots[user.pk])
            User.objects.filter(pk=user.pk).update(password=user.password)
        yield mots
    finally:
        for pk, ancien in anciens.items():
            User.objects.filter(pk=pk).update(password=ancien)
        TOTPDevice.objects.filter(pk__in=crees).delete()


def code_totp(user):
    """The current code of the user's confirmed device (created as at enrolment when it has none)."""
    from django_otp.oath import totp

    from demo.clients import appareil_totp

    appareil = appareil_totp(user)
    appareil.refresh_from_db()
    return f"{totp(appareil.bin_key, appareil.step, appareil.t0, appareil.digits, appareil.drift):0{appareil.digits}d}"


def connecter(base, user, mot_de_passe):
    """A requests session through the login page and the second-factor page, as a browser does."""
    session = requests.Session()
    url = base + reverse("login")
    page = session.get(url, timeout=30)
    reponse = session.post(
        url,
        data={"username": user.username, "password": mot_de_passe, "csrfmiddlewaretoken": jeton_csrf(page.text)},
        headers={"Referer": url},
        timeout=30,
    )
    code_url = base + reverse("otp_verifier")
    for _essai in range(2):  # a code is accepted once: the next one comes within 30 s
        if not reponse.url.startswith(code_url):
            break
        reponse = session.post(
            code_url,
            data={"code": code_totp(user), "csrfmiddlewaretoken": jeton_csrf(reponse.text)},
            headers={"Referer": code_url},
            timeout=30,
        )
        if reponse.url.startswith(code_url):
            time.sleep(31 - time.time() % 30)
    if reponse.status_code != 200 or reponse.url.startswith((url, code_url)):
        raise ErreurBench(f"connexion de {user.username} impossible (réponse {reponse.status_code} {reponse.url})")
    return session


# --- measuring ---------------------------------------------------------------------------------------


@dataclass
class Page:
    libelle: str
    objectif: float | None  # ms, p95 at concurrency 1
    utilisateur: object
    requete: object  # callable(session, base) -> list of responses (an exchange may be several requests)
    borne: object  # callable() -> rows: the bare-SQL bound
    critere: str = "p95"  # the goal bounds this figure at concurrency 1 (the table: median for a PDF)


def _verifier(reponses):
    for r in reponses:
        if r.status_code != 200:
            raise ErreurBench(f"{r.request.method} {r.url} : réponse {r.status_code} au lieu de 200")


def _quantile(durees, q):
    return statistics.quantiles(durees, n=100, method="inclusive")[q - 1] if len(durees) > 1 else durees[0]


def mesurer(page, session, base, repetitions):
    """{c: (p50, p95)} over HTTP and (p50) of the bare-SQL bound, interleaved at concurrency 1 (ms)."""
    for _ in range(min(3, repetitions)):
        _verifier(page.requete(session, base))
        page.borne()
    http, sql = [], []
    for _ in range(repetitions):
        debut = time.perf_counter()
        reponses = page.requete(session, base)
        http.append((time.perf_counter() - debut) * 1000)
        _verifier(reponses)
        debut = time.perf_counter()
        page.borne()
        sql.append((time.perf_counter() - debut) * 1000)
    resultats = {1: (statistics.median(http), _quantile(http, 95))}
    for c in CONCURRENCES:
        if c == 1:
            continue
        resultats[c] = _en_parallele(page, session, base, c, repetitions)
    return resultats, statistics.median(sql)


def _en_parallele(page, session, base, c, repetitions):
    """`c` clients at once (the same account's session copied: a person's tabs, or colleagues alike)."""
    durees, verrou = [], threading.Lock()

    def client(_i):
        s = requests.Session()
        s.cookies.update(session.cookies)
        for _ in range(max(repetitions // c, 1)):
            debut = time.perf_counter()
            reponses = page.requete(s, base)
            d = (time.perf_counter() - debut) * 1000
            _verifier(reponses)
            with verrou:
                durees.append(d)

    with ThreadPoolExecutor(c) as pool:
        list(pool.map(client, range(c)))
    return statistics.median(durees), _quantile(durees, 95)


def _lignes(queryset):
    """The queryset's own SQL, run raw: the bound is the same rows, without Django around them."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _get(url, **entetes):
    return lambda session, base: [session.get(base + url, headers=entetes, timeout=120)]


# --- the pages ------------------------------------------------------------------------------------------


class Montage:
    """What the pages need, committed (the server reads it) and removed by `defaire()`."""

    def __init__(self):
        self.a_defaire = []

    def defaire(self):
        for action in reversed(self.a_defaire):
            action()


# The committee: a référent's 300 measures (the veille norm).
MESURES_COMITE = 300


def _comite_de_300(montage):
    """A quarterly committee of the sample référent with MESURES_COMITE measures in its selection:
    active RSA measures of the base are lent to her for the run, then given back."""
    from accompagnement.models import Accompagnement
    from accounts.models import Role, User
    from pilotage.models import ComiteSuivi
    from pilotage.pack import mesures_du_comite
    from referentiel.models import Champ

    # Not the sample référent: her file active is measured at its 80 measures.
    exemple = synthetique.referent_exemple()
    structure = exemple.structures.order_by("pk").first()
    referent = structure.membres.filter(role=Role.REFERENT).exclude(pk=exemple.pk).order_by("pk").first()
    delegue = User.objects.filter(role=Role.DELEGUE, territoires=structure.territoire).order_by("pk").first()
    c = ComiteSuivi.objects.create(
        type=ComiteSuivi.Type.TRIMESTRIEL_RSA,
        referent=referent,
        territoire=structure.territoire,
        president=delegue,
        date=timezone.localdate(),
    )
    montage.a_defaire.append(lambda: _supprimer(c))
    selection = mesures_du_comite(c, delegue)
    manque = MESURES_COMITE - selection.count()
    if manque > 0:
        pretees = list(
            Accompagnement.objects.actifs(c.date)
            .filter(
                modalite__champ=Champ.INSERTION,
                modalite__accompagnee_ici=True,
                structure__territoire=structure.territoire,
            )
            .exclude(pk__in=selection.values("pk"))
            .exclude(referent=exemple)  # her pages are measured too, with her own measures
            .order_by("pk")
            .values_list("pk", "referent_id", "structure_id")[:manque]
        )
        Accompagnement.objects.filter(pk__in=[p[0] for p in pretees]).update(referent=referent, structure=structure)

        def rendre():
            for pk, referent_id, structure_id in pretees:
                Accompagnement.objects.filter(pk=pk).update(referent_id=referent_id, structure_id=structure_id)

        montage.a_defaire.append(rendre)
    return c, delegue, selection


def comite(montage):
    c, delegue, selection = _comite_de_300(montage)
    mesures = selection.values("pk", "resident__nom", "resident__prenom", "date_debut")
    montage.comite = (c, delegue, selection)
    return Page(
        f"comité du délégué ({mesures.count()} mesures)",
        300,
        delegue,
        _get(reverse("pilotage:comite", args=[c.pk])),
        lambda: _lignes(mesures),
    )


def carte_du_comite(montage):
    """One card saved (htmx) in the same committee, as the chair does it 300 times in a meeting: each
    request another card (4 clients at once never save the same one, which would be a real conflict)."""
    import itertools

    from pilotage.models import DecisionComite

    c, delegue, selection = montage.comite
    mesures = list(selection.order_by("pk").values_list("pk", flat=True))
    page = reverse("pilotage:comite", args=[c.pk])
    suivante = itertools.count()
    jetons = {}

    def echange(session, base):
        cle = id(session)
        if cle not in jetons:
            jetons[cle] = jeton_csrf(session.get(base + page).text)
        n = next(suivante)
        mesure = mesures[n % len(mesures)]
        version = DecisionComite.objects.filter(comite=c, accompagnement_id=mesure).values_list("version", flat=True)
        p = f"m{mesure}-"
        donnees = {p + "decision": ("POURSUITE", "AUTRE")[n // len(mesures) % 2], p + "commentaire": f"Essai {n}"}
        donnees[p + "version"] = str(version.first() or "")
        entetes = {"HX-Request": "true", "X-CSRFToken": jetons[cle], "Referer": base + page}
        url = reverse("pilotage:decision", args=[c.pk, mesure])
        reponse = session.post(base + url, data=donnees, headers=entetes, timeout=120)
        if "Décision enregistrée" not in reponse.text:
            raise ErreurBench(f"carte du comité refusée : {reponse.text[:500]}")
        return [reponse]

    lignes = DecisionComite.objects.filter(comite=c).values("pk", "decision", "version")
    return Page("enregistrement d'une carte du comité (htmx)", 150, delegue, echange, lambda: _lignes(lignes))


def _jeton_api(montage, structure, par):
    """A read token of the structure, revoked after the run. The same token (and its service account,
    which the access log names) is taken up again by the next run with a new secret: the log keeps
    what the bench read, as it keeps every read."""
    import secrets

    from api.models import JetonAPI, empreinte
    from api.services import creer_jeton

    jetons = montage.__dict__.setdefault("jetons", {})
    if structure.pk in jetons:  # one secret per token for the whole run
        return jetons[structure.pk]
    jeton = JetonAPI.objects.filter(nom="banc HTTP", structure=structure).first()
    if jeton is None:
        jeton, secret = creer_jeton(par=par, nom="banc HTTP", portee=JetonAPI.Portee.LECTURE, structure=structure)
    else:
        secret = secrets.token_urlsafe(32)
        JetonAPI.objects.filter(pk=jeton.pk).update(empreinte=empreinte(secret), revoque_le=None)
    montage.a_defaire.append(lambda: JetonAPI.objects.filter(pk=jeton.pk).update(revoque_le=timezone.now()))
    jetons[structure.pk] = {"Authorization": f"Bearer {secret}"}
    return jetons[structure.pk]


# The issue's « listing 1,000 échéances »: one page of the API's échéances holding at least that many.
ECHEANCES_LISTEES = 1000


def _structure_api(montage):
    """The sample structure, its token, and its active measures in the API's order (id)."""
    from accompagnement.models import Accompagnement

    responsable = synthetique.responsable_exemple()
    structure = responsable.structures.order_by("pk").first()
    entetes = _jeton_api(montage, structure, responsable)
    mesures = Accompagnement.objects.filter(structure=structure).actifs()
    return responsable, structure, entetes, mesures.order_by("pk")


def api_echeances(montage):
    """GET /api/v1/echeances/ for a structure's token: one page of measures whose échéances are the first
    1,000 or more (the page size is the smallest number of measures that holds them)."""
    from echeances.moteur import calculer

    responsable, structure, entetes, mesures = _structure_api(montage)
    ids = list(mesures.values_list("pk", flat=True))
    taille, n = 0, 0
    while n < ECHEANCES_LISTEES and taille < len(ids):
        taille = min(taille + 25, len(ids))
        n = len(calculer(ids[:taille], le=timezone.localdate()))
    lignes = mesures.values("pk", "date_debut", "modalite_id", "referent_id")[:taille]
    url = reverse("api:echeances") + f"?structure={structure.pk}&taille={taille}"
    return Page(
        f"API : {n} échéances (une page de {taille} mesures)",
        100,
        responsable,
        _get(url, **entetes),
        lambda: _lignes(lignes),
    )


def api_echeances_structure(montage):
    """Every échéance of the structure, page after page (250 measures each, the API's default), as a system
    synchronising it would read them. No goal in the issue: 100 ms per 1,000 échéances, as above."""
    from echeances.moteur import calculer

    responsable, structure, entetes, mesures = _structure_api(montage)
    n = len(calculer(mesures, le=timezone.localdate()))
    url = reverse("api:echeances") + f"?structure={structure.pk}"

    def echange(session, base):
        reponses, suivante = [], base + url
        while suivante:
            reponse = session.get(suivante, headers=entetes, timeout=120)
            reponses.append(reponse)
            suivante = reponse.json().get("next") if reponse.status_code == 200 else None
        return reponses

    lignes = mesures.values("pk", "date_debut", "modalite_id", "referent_id")
    pages = -(-mesures.count() // 250)
    return Page(
        f"API : toutes les échéances d'une structure ({n}, {pages} pages)",
        100 * -(-n // ECHEANCES_LISTEES),
        responsable,
        echange,
        lambda: _lignes(lignes),
    )


def api_personne(montage):
    """GET /api/v1/personnes/<id>/ then its 500 entretiens (one page: the API allows 500) for her structure's token."""
    from accompagnement.models import Entretien

    resident = synthetique.grand_dossier()
    from accounts.models import Role

    membres = resident.structure.membres.filter(role=Role.RESPONSABLE).order_by("pk")
    responsable = membres.first() or synthetique.responsable_exemple()
    entetes = _jeton_api(montage, resident.structure, responsable)
    personne = reverse("api:personne", args=[resident.pk])
    entretiens = reverse("api:entretiens") + f"?personne={resident.pk}&taille=500"

    def echange(session, base):
        reponses = [session.get(base + personne, headers=entetes, timeout=120)]
        url = base + entretiens
        while url:
            reponse = session.get(url, headers=entetes, timeout=120)
            reponses.append(reponse)
            url = reponse.json().get("next") if reponse.status_code == 200 else None
        return reponses

    lignes = Entretien.objects.filter(accompagnement__resident=resident).values("pk", "date_heure", "type", "statut")
    n = lignes.count()
    return Page(
        f"API : une personne et ses {n} entretiens (une page de 500)",
        100,
        responsable,
        echange,
        lambda: _lignes(lignes),
    )


def _supprimer(objet):
    historique = getattr(type(objet), "history", None)
    pk = objet.pk
    objet.delete()
    if historique is not None:
        historique.filter(id=pk).delete()


def dossier(montage):
    from accompagnement.models import Entretien

    resident = synthetique.grand_dossier()
    mesure = resident.accompagnements.order_by("-date_debut").first()
    entretiens = (
        Entretien.objects.filter(accompagnement__resident=resident)
        .order_by("-date_heure")
        .values("pk", "date_heure", "type", "statut", "duree_minutes", "auteur__last_name")
    )
    return Page(
        f"dossier de {entretiens.count()} entretiens",
        80,
        mesure.referent,
        _get(reverse("residents:dossier", args=[resident.pk])),
        lambda: _lignes(entretiens),
    )


def _file_active(libelle, objectif, user, mesures):
    colonnes = mesures.values("pk", "resident__nom", "resident__prenom", "modalite__libelle", "date_debut")
    return Page(
        f"{libelle} ({colonnes.count()} mesures)",
        objectif,
        user,
        _get(reverse("accompagnement:file_active")),
        lambda: _lignes(colonnes),
    )


def file_active_referent(montage):
    referent = synthetique.referent_exemple()
    return _file_active(
        "file active du référent", 60, referent, synthetique.accompagnements().actifs().filter(referent=referent)
    )


def file_active_responsable(montage):
    responsable = synthetique.responsable_exemple()
    mesures = synthetique.accompagnements().actifs().filter(structure__in=responsable.structures.all())
    return _file_active("file active de la structure (responsable)", 250, responsable, mesures)


def saisie_entretien(montage):
    """The POST of the dossier's short form (htmx): its answer carries the refreshed suivi table,
    échéances and timeline (out-of-band swaps), so it is the whole exchange a person waits for."""
    from accompagnement.models import Entretien

    resident = synthetique.grand_dossier()
    mesure = resident.accompagnements.actifs().order_by("pk").first() or resident.accompagnements.first()
    dernier = Entretien.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    montage.a_defaire.append(lambda: _supprimer_entretiens(mesure, dernier))
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    dossier = reverse("residents:dossier", args=[resident.pk])
    jetons = {}

    def echange(session, base):
        cle = id(session)
        if cle not in jetons:
            jetons[cle] = jeton_csrf(session.get(base + dossier).text)
        htmx = {
            "HX-Request": "true",
            "HX-Current-URL": base + dossier,
            "X-CSRFToken": jetons[cle],
            "Referer": base + dossier,
        }
        donnees = {
            "type": "TELEPHONE",
            "date_heure": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "statut": "HONORE",
            "duree_minutes": "10",
            "jeton": str(uuid.uuid4()),
        }
        reponse = session.post(base + url, data=donnees, headers=htmx, timeout=120)
        if 'id="entretiens" hx-swap-oob' not in reponse.text:
            raise ErreurBench(f"saisie d'entretien refusée : {reponse.text[:500]}")
        return [reponse]

    return Page(
        "saisie d'un entretien depuis le dossier (une réponse, parties rafraîchies comprises)",
        80,
        mesure.referent,
        echange,
        lambda: _insertion_annulee(Entretien, dernier),
    )


def _insertion_annulee(model, pk_modele):
    """The bound of a write: the same row inserted (copied from an existing entretien), rolled back."""
    table = model._meta.db_table
    colonnes = ", ".join(
        connection.ops.quote_name(f.column)
        for f in model._meta.concrete_fields
        if not f.primary_key and not getattr(f, "generated", False)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({colonnes}) SELECT {colonnes} FROM {table} WHERE id = %s RETURNING id",  # noqa: S608
            [pk_modele],
        )
        transaction.set_rollback(True)


def _supprimer_entretiens(mesure, dernier):
    from accompagnement.models import Entretien

    ids = list(Entretien.objects.filter(accompagnement=mesure, pk__gt=dernier).values_list("pk", flat=True))
    with transaction.atomic():  # the delete's signal synchronises the measure's alerts again on commit
        Entretien.participants.through.objects.filter(entretien_id__in=ids).delete()
        Entretien.objectifs.through.objects.filter(entretien_id__in=ids).delete()
        Entretien.objects.filter(pk__in=ids).delete()
        Entretien.history.filter(id__in=ids).delete()


def pdf_contrat(montage):
    from contrats.models import Contrat

    referent = synthetique.referent_exemple()
    contrat = Contrat.objects.filter(accompagnement__referent=referent).order_by("pk").first()
    lignes = Contrat.objects.filter(pk=contrat.pk).values(
        "pk", "accompagnement__resident__nom", "lignes_objectifs__objectif__libelle", "lignes_objectifs__ordre"
    )
    return Page(
        "PDF d'un contrat (aperçu, rendu à la demande)",
        200,
        referent,
        _get(reverse("contrats:apercu", args=[contrat.pk])),
        lambda: _lignes(lignes),
        critere="p50",
    )


def pdf_version_figee(montage):
    from contrats.models import Contrat, VersionContrat
    from contrats.services import figer_version

    referent = synthetique.referent_exemple()
    contrat = Contrat.objects.filter(accompagnement__referent=referent, versions__isnull=True).order_by("pk").first()
    version = figer_version(contrat, par=referent, le=timezone.now())
    version.save()
    fichier = version.pdf.name

    def defaire():
        _supprimer(version)
        version.pdf.storage.delete(fichier)

    montage.a_defaire.append(defaire)
    lignes = VersionContrat.objects.filter(pk=version.pk).values("contenu", "sha256")
    return Page(
        "PDF d'une version figée",
        15,
        referent,
        _get(reverse("contrats:pdf", args=[contrat.pk, version.numero])),
        lambda: _lignes(lignes),
    )


PAGES = [
    comite,
    carte_du_comite,
    api_echeances,
    api_echeances_structure,
    api_personne,
    dossier,
    file_active_referent,
    saisie_entretien,
    pdf_contrat,
    pdf_version_figee,
    file_active_responsable,
]


# --- the run ----------------------------------------------------------------------------------------------


def executer(*, repetitions=50, sortie=print):
    """Mount the pages, serve, log in, measure; returns the report (dict)."""
    montage = Montage()
    try:
        pages = [fabrique(montage) for fabrique in PAGES]
        utilisateurs = list({p.utilisateur.pk: p.utilisateur for p in pages}.values())
        with mots_de_passe(utilisateurs) as mots, serveur(sortie) as base:
            sessions = {u.pk: connecter(base, u, mots[u.pk]) for u in utilisateurs}
            resultats = []
            for page in pages:
                sortie(f"… {page.libelle}")
                par_c, sql = mesurer(page, sessions[page.utilisateur.pk], base, repetitions)
                for c, (p50, p95) in par_c.items():
                    mesure = p50 if page.critere == "p50" else p95
                    resultats.append(
                        {
                            "page": page.libelle,
                            "concurrence": c,
                            "p50_ms": round(p50, 1),
                            "p95_ms": round(p95, 1),
                            "sql_nu_p50_ms": round(sql, 2),
                            "rapport_sql": round(p50 / max(sql, 1e-3), 1),
                            "objectif_ms": page.objectif if c == 1 else None,
                            "critere": page.critere,
                            "atteint": None if page.objectif is None or c != 1 else mesure <= page.objectif,
                        }
                    )
    finally:
        montage.defaire()
    return {"resultats": resultats, "repetitions": repetitions, "ouvriers": OUVRIERS}


def tableau_markdown(rapport, entete):
    lignes = [
        entete,
        "",
        "| page | clients simultanés | p50 (ms) | p95 (ms) | objectif (ms) | atteint | SQL nu p50 (ms) | p50 / SQL nu |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rapport["resultats"]:
        etat = {True: "oui", False: "**non**", None: "—"}[r["atteint"]]
        objectif = "—" if r["objectif_ms"] is None else f"{r['critere']} ≤ {r['objectif_ms']:g}"
        lignes.append(
            f"| {r['page']} | {r['concurrence']} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {objectif} | {etat} "
            f"| {r['sql_nu_p50_ms']:.2f} | {r['rapport_sql']:.1f} × |"
        )
    return "\n".join(lignes) + "\n"


DEBUT_SECTION = "<!-- bench-http:debut -->"
FIN_SECTION = "<!-- bench-http:fin -->"


def ecrire_notes(markdown, chemin):
    """The latest run's section of docs/bench.md, replaced in place (added at the end the first time)."""
    chemin = Path(chemin)
    texte = chemin.read_text() if chemin.exists() else "# Notes de mesure\n"
    section = f"{DEBUT_SECTION}\n## Dernière exécution du banc HTTP (`make bench BENCH_ARGS=--http`)\n\n{markdown}{FIN_SECTION}\n"
    if DEBUT_SECTION in texte and FIN_SECTION in texte:
        avant, reste = texte.split(DEBUT_SECTION, 1)
        apres = reste.split(FIN_SECTION, 1)[1].lstrip("\n")
        texte = avant + section + ("\n" + apres if apres else "")
    else:
        texte = texte.rstrip("\n") + "\n\n" + section
    chemin.write_text(texte)


def enregistrer(rapport, dossier):
    dossier = Path(dossier)
    dossier.mkdir(parents=True, exist_ok=True)
    (dossier / "http.json").write_text(json.dumps(rapport, ensure_ascii=False, indent=2, default=str))
