"""The contract as a document: the frozen content (a JSON snapshot) and its PDF (WeasyPrint).

A version's content is copied at freeze time, so later edits of the objectives never change a signed
document. Rendering is byte-stable: the PDF's dates come from the freeze time and its identifier from
the content, so rendering a version again gives the same SHA-256 (the stored file stays the reference).

Both files of a version are rendered once and stored (VersionContrat.pdf at submission, the signed copy
VersionContrat.exemplaire at each signature and at the délégué's decision: services.ranger_exemplaire);
a download serves the stored file, never a new rendering. What the document says by law (legal basis,
rights, recourse, personal data, each party's role) is data in contrats.mentions, frozen in the content."""

import functools
import hashlib
import json
import re
import threading
from pathlib import Path

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import CSS, HTML
from weasyprint.css import ColorProfile
from weasyprint.text.fonts import FontConfiguration

from . import mentions
from .models import PARTIES_EXTERNES, Contrat, ObjectifContrat, Partie, Transition

FEUILLE_DE_STYLE = Path(settings.BASE_DIR) / "static" / "contrats" / "pdf.css"
# PDF/A-3a: an archivable PDF (fonts embedded, colour profile) that is also tagged for screen readers.
VARIANTE_PDF = "pdf/a-3a"


_PROFIL = "srgb-archivage"


@functools.cache
def _profils_couleur():
    """The sRGB output intent PDF/A needs, read once and closed (WeasyPrint 70 leaves its own copy open)."""
    chemin = Path(weasyprint.__file__).parent / "pdf" / "sRGB2014.icc"
    with chemin.open("rb") as fichier:
        return {_PROFIL: ColorProfile(fichier, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))}


@functools.cache
def _feuille_de_style():
    """The stylesheet, parsed once per process (it has no @font-face: no font configuration tied to it)."""
    return CSS(filename=str(FEUILLE_DE_STYLE))


_par_fil = threading.local()


def _polices():
    """The fonts WeasyPrint found, kept for the next document of this thread rather than looked up again
    for each one (a Pango font map is not shared between threads). Measured with the stylesheet parsed
    once: 133 → 111 ms of processor time for a contract of two pages."""
    if not hasattr(_par_fil, "polices"):
        _par_fil.polices = FontConfiguration()
    return _par_fil.polices


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def _derniere_evaluation(objectif):
    evaluations = list(objectif.evaluations.all())
    if not evaluations:
        return None
    e = evaluations[0]
    return {
        "date": e.date.isoformat(),
        "niveau": e.get_niveau_display(),
        "parole_personne": e.parole_personne,
        "commentaire": e.commentaire,
    }


def nom_partie(contrat, partie):
    acc = contrat.accompagnement
    if partie == Partie.RESIDENT:
        return str(acc.resident)
    if partie == Partie.CONJOINT:
        conjoint = acc.resident.conjoint
        return str(conjoint) if conjoint else ""
    if partie == Partie.REFERENT:
        return str(acc.referent)
    if partie == Partie.PARTENAIRE:
        return str(contrat.partenaire) if contrat.partenaire_id else ""
    if partie == Partie.RESPONSABLE:
        return f"Le ou la responsable de {acc.structure}"
    return ""


_CODE_POSTAL_VILLE = re.compile(r"\b\d{5}\s+(?P<commune>\S.*)$")


def lieu_de(structure):
    """Where the contract is signed (« Fait à … »): the structure's commune, read from the last line of its
    address holding a postcode (« 88000 Épinal »); else the name of its territory."""
    for ligne in reversed((structure.adresse or "").splitlines()):
        if trouve := _CODE_POSTAL_VILLE.search(ligne.strip()):
            return trouve["commune"].strip()
    return structure.territoire.nom


def contenu_de(contrat, *, numero, le=None):
    """The snapshot of everything the document shows (JSON-ready, deterministic)."""
    acc = contrat.accompagnement
    lignes = ObjectifContrat.objects.filter(contrat=contrat).select_related("objectif").order_by("ordre", "pk")
    lignes = lignes.prefetch_related("objectif__evaluations")
    return {
        "reference": contrat.reference,
        "numero_version": numero,
        "type": contrat.type,
        "type_libelle": contrat.get_type_display(),
        "structure": {
            "nom": acc.structure.nom,
            "adresse": acc.structure.adresse,
            "logo": acc.structure.logo.name if acc.structure.logo else "",
        },
        "modalite": str(acc.modalite),
        "resident": {
            "nom": str(acc.resident),
            "date_naissance": acc.resident.date_naissance.isoformat(),
        },
        "date_debut": contrat.date_debut.isoformat(),
        "date_fin": contrat.date_fin.isoformat(),
        "numero_renouvellement": contrat.numero_renouvellement,
        "precedent": contrat.precedent.reference if contrat.precedent_id else "",
        "avenant_de": contrat.avenant_de.reference if contrat.avenant_de_id else "",
        "motif_avenant": contrat.motif_avenant,
        "heures_activite_hebdo": contrat.heures_activite_hebdo,
        "motif_intensite_reduite": contrat.get_motif_intensite_reduite_display()
        if contrat.motif_intensite_reduite
        else "",
        "parties": [
            {
                "code": p,
                "libelle": Partie(p).label,
                "role": mentions.role(contrat.type, p),
                "nom": nom_partie(contrat, p),
            }
            for p in contrat.parties()
        ],
        "lieu": lieu_de(acc.structure),
        "mentions": mentions.mentions(
            contrat.type,
            structure=acc.structure.nom,
            departement=acc.structure.territoire.departement.nom,
            territoire=acc.structure.territoire.nom,
        ),
        "objectifs": [
            {
                "id": ligne.objectif_id,
                "axe": ligne.get_axe_display(),
                "domaine": ligne.objectif.get_domaine_display(),
                "libelle": ligne.objectif.libelle,
                "critere": ligne.objectif.critere,
                "echeance": ligne.objectif.echeance.isoformat() if ligne.objectif.echeance else "",
                "actions": ligne.objectif.actions,
                "etat": ligne.objectif.get_etat_display(),
                "evaluation": _derniere_evaluation(ligne.objectif),
            }
            for ligne in lignes
        ],
        "engagements": {
            "personne": contrat.engagements_personne,
            "structure": contrat.engagements_structure,
            "partenaire": contrat.engagements_partenaire,
        },
        "figee_le": (le or timezone.now()).isoformat(),
    }


def empreinte_contenu(contenu):
    return sha256(json.dumps(contenu, sort_keys=True, ensure_ascii=False).encode())


def _date_pdf(iso):
    # WeasyPrint reads the creation date from <meta name=dcterms.created>: the freeze time, fixed.
    return iso[:19] + "Z" if iso else ""


def rendre_pdf(contenu, *, signatures=(), decision=None, brouillon=False):
    """PDF bytes of one version; with `signatures` (and the délégué's `decision`, see decision_de), the
    signed copy with the evidence page."""
    empreinte = empreinte_contenu(contenu)
    signatures = list(signatures)
    html = render_to_string(
        "contrats/pdf/contrat.html",
        {
            "c": contenu,
            "signatures": signatures,
            "parties": _parties(contenu, signatures),
            "decision": decision,
            "empreinte": empreinte,
            "brouillon": brouillon,
            "date_pdf": _date_pdf(contenu.get("figee_le", "")),
            "logo": _chemin_logo(contenu),
        },
    )
    document = HTML(string=html, base_url=str(settings.MEDIA_ROOT))
    return document.write_pdf(
        stylesheets=[_feuille_de_style()],
        font_config=_polices(),
        pdf_variant=VARIANTE_PDF,
        pdf_identifier=empreinte[:32].encode(),
        color_profiles=_profils_couleur(),
        output_intent=_PROFIL,
        uncompressed_pdf=False,
    )


def _chemin_logo(contenu):
    nom = contenu.get("structure", {}).get("logo")
    if not nom:
        return ""
    chemin = Path(settings.MEDIA_ROOT) / nom
    return chemin.as_uri() if chemin.exists() else ""


def _parties(contenu, signatures):
    """Each party as frozen, with who actually signed for a professional party (a named manager rather
    than « le ou la responsable de … »), in the role frozen with the version. The person, the conjoint
    and the partner keep the name the contract gives them: the name they typed is on the signature line
    and the evidence page."""
    par_partie = {s.partie: s for s in signatures}

    def signataire(p):
        if p["code"] in par_partie and p["code"] not in PARTIES_EXTERNES:
            return par_partie[p["code"]].nom_signataire
        return p["nom"]

    return [
        {
            **p,
            "role": p.get("role") or Partie(p["code"]).label,
            "signature": par_partie.get(p["code"]),
            "signataire": signataire(p),
        }
        for p in contenu["parties"]
    ]


DECISIONS = {"validation": "validé", "refus": "refusé"}


def decision_de(version):
    """The délégué insertion's decision on this version (validated or refused: a decision ends the version's
    path, so it cannot belong to an earlier one), or None."""
    transition = (
        Transition.objects.filter(contrat_id=version.contrat_id, action__in=DECISIONS, le__gte=version.figee_le)
        .select_related("par")
        .order_by("-le", "-pk")
        .first()
    )
    if transition is None:
        return None
    return {
        "decision": DECISIONS[transition.action],
        "le": transition.le,
        "par": str(transition.par),
        "motif": transition.motif,
    }


def pdf_version(version, *, avec_signatures=True):
    """The signed copy of a version as it stands: frozen content + who signed, when and how + the délégué's
    decision. Rendered and stored by services.ranger_exemplaire when one of these changes, not per request."""
    if not avec_signatures:
        return rendre_pdf(version.contenu)
    signatures = list(version.signatures.select_related("user", "recueillie_par"))
    return rendre_pdf(version.contenu, signatures=signatures, decision=decision_de(version))


def apercu_brouillon(contrat: Contrat):
    return rendre_pdf(contenu_de(contrat, numero=contrat.numero_version), brouillon=True)
