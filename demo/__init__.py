"""Demo data (`manage.py demo`), synthetic scale data (`manage.py donnees_synthetiques`) and the
benchmark runner (`manage.py bench`). No models: this app only writes into the others' tables."""

# Shared demo password: 12+ characters and not a common word, as the project's validators require.
# Printed by the launcher (`make run`); the demo must never run in production.
MOT_DE_PASSE_DEMO = "Vosges-demo-2024!"

# Published on purpose, like the password: the demo accounts come enrolled with this TOTP key (base32), so
# that the demo can be tried without a phone: `make run` shows it, `make code-demo` (`manage.py code_demo`)
# prints the current code. `manage.py demo` refuses to run without DEBUG: no production account gets it.
CLE_TOTP_DEMO = "DEMOVOSGESDEMOVOSGESDEMOVOSGES23"
NOM_APPAREIL_DEMO = "démonstration (clé publiée)"

# Published on purpose as well: the demo's API token (api/), held by the territory of Saint-Dié-des-Vosges
# with the délégué insertion's view, read-only. `manage.py demo` creates it (demo/api.py), `make run` shows
# it, the README's curl example uses it. Like the key above, refused outside DEBUG.
JETON_API_DEMO = "demo-vosges-api-lecture-seule-3f9c2a7e51d84b06"

# (username, password, role label): every role of accounts.models.Role has at least one account.
COMPTES = [
    ("admin.demo", MOT_DE_PASSE_DEMO, "administrateur"),
    ("referente.fjt", MOT_DE_PASSE_DEMO, "référente FJT (Résidence Les Images, Épinal)"),
    ("referent.asll", MOT_DE_PASSE_DEMO, "référent ASLL à temps partiel (Le Relais Vosgien)"),
    ("referente.global", MOT_DE_PASSE_DEMO, "référente accompagnement global (Le Relais Vosgien)"),
    ("referente.rsa", MOT_DE_PASSE_DEMO, "référente RSA (MSVS de Saint-Dié-des-Vosges)"),
    ("referent.rsa2", MOT_DE_PASSE_DEMO, "référent RSA (MSVS de Saint-Dié-des-Vosges)"),
    ("responsable.fjt", MOT_DE_PASSE_DEMO, "responsable de structure (Résidence Les Images)"),
    ("responsable.relais", MOT_DE_PASSE_DEMO, "responsable de structure (Le Relais Vosgien)"),
    ("responsable.msvs", MOT_DE_PASSE_DEMO, "responsable de structure (MSVS de Saint-Dié-des-Vosges)"),
    ("delegue.insertion", MOT_DE_PASSE_DEMO, "délégué insertion (territoires d'Épinal et de Saint-Dié)"),
    ("conseillere.logement", MOT_DE_PASSE_DEMO, "conseillère logement (territoires d'Épinal et de Saint-Dié)"),
    ("partenaire.ase", MOT_DE_PASSE_DEMO, "partenaire (tiers) : éducatrice ASE"),
]
