"""Access rules are written in accounts/acces.py only: a role check written anywhere else (a view, a
service, a queryset, a template) is a second copy of a rule, which the next fix would miss."""

import re
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent
APPS = ["accompagnement", "accounts", "admissions", "contrats", "echeances", "journal", "pilotage", "referentiel"]
APPS += ["residents", "config", "demo", "templates", "api"]

# The role definitions themselves, and the menu's table (accounts.navigation.ENTREES: which entry each
# role sees; its check is acces.a_l_un_des_roles).
PERMIS = {"accounts/acces.py", "accounts/models.py", "accounts/navigation.py"}

CONTROLES = [
    re.compile(r"\.role\s*(==|!=|in\b|not\s+in\b)"),  # user.role == Role.X, user.role in (…)
    re.compile(r"\brole\s*(==|!=)\s*['\"]"),  # {% if user.role == "RESPONSABLE" %}
    re.compile(r"Role\.[A-Z_]+\s*,\s*Role\."),  # an inline set of roles: (Role.REFERENT, Role.RESPONSABLE)
]


def fichiers():
    for app in APPS:
        for chemin in sorted((RACINE / app).rglob("*")):
            relatif = chemin.relative_to(RACINE).as_posix()
            if chemin.suffix in (".py", ".html", ".txt") and "/migrations/" not in relatif and relatif not in PERMIS:
                yield relatif, chemin


def test_aucun_controle_de_role_hors_du_module_d_acces():
    trouves = [
        f"{relatif}:{numero}: {ligne.strip()}"
        for relatif, chemin in fichiers()
        for numero, ligne in enumerate(chemin.read_text(encoding="utf-8").splitlines(), 1)
        if any(controle.search(ligne) for controle in CONTROLES)
    ]
    assert not trouves, "Contrôle de rôle hors de accounts/acces.py :\n" + "\n".join(trouves)


def test_le_garde_fou_reconnait_un_controle():
    """The patterns above catch the checks that used to be copied (so the test above can fail)."""
    for ligne in (
        "    if user.role in (Role.REFERENT, Role.RESPONSABLE):",
        "    if par.role not in (Role.REFERENT, Role.RESPONSABLE) or structure.pk not in structures_de(par):",
        "    return user.role == Role.RESPONSABLE and user.structures.filter(pk=x).exists()",
        '{% if user.is_administrateur or user.role == "RESPONSABLE" %}',
        "ROLES_BILAN = (Role.RESPONSABLE, Role.DELEGUE)",
    ):
        assert any(controle.search(ligne) for controle in CONTROLES), ligne
