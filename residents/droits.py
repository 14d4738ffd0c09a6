"""The person's rights (domain.md §9–10): consent to sharing with a partner (recorded, withdrawable),
what a partner may read, and the right of access (the complete file in one ZIP, answered within
DROIT_ACCES_DELAI)."""

import io
import json
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accompagnement.jeton import enregistrer_une_fois
from accounts import acces
from journal.models import JournalAcces
from referentiel.regles import parametre_delta

from .models import Consentement, DemandeAcces, Resident

Categorie = Consentement.Categorie


# --- consent -------------------------------------------------------------------------------------


@transaction.atomic
def enregistrer_consentement(*, resident, par, tiers, finalite, categories, date_consentement, mode, jeton=None):
    """The consent, recorded once per form (`jeton`): a second submit returns the first."""
    acces.exiger_equipe(par, resident.structure)
    consentement = Consentement(
        resident=resident,
        tiers=tiers,
        finalite=finalite,
        categories=sorted(set(categories)),
        date_consentement=date_consentement,
        mode=mode,
        recueilli_par=par,
        jeton=jeton,
    )
    if date_consentement > timezone.localdate():
        raise ValidationError({"date_consentement": "Le consentement ne peut pas être daté dans le futur."})
    return enregistrer_une_fois(consentement)[0]


@transaction.atomic
def retirer_consentement(*, consentement, par, le=None):
    """Withdrawal takes effect today: the partner loses access at once. Withdrawing twice is harmless."""
    acces.exiger_equipe(par, consentement.resident.structure)
    courant = Consentement.objects.select_for_update().get(pk=consentement.pk)
    if courant.date_retrait is not None:
        return courant
    courant.date_retrait = max(le or timezone.localdate(), courant.date_consentement)
    courant.validate_constraints()
    courant.save(update_fields=["date_retrait"])
    return courant


@dataclass
class VuePartenaire:
    """What a partner sees of one person: only the consented categories, never a confidential note."""

    resident: Resident
    categories: set
    mesures: list
    presences: list
    notes: list
    objectifs: list
    contrats: list


def vue_partenaire(user, resident):
    from accompagnement.models import Accompagnement, Entretien, Objectif
    from contrats.models import Contrat

    categories = acces.categories_partagees(user, resident)
    mesures = list(Accompagnement.objects.visibles_par(user).filter(resident=resident).select_related("modalite"))
    entretiens = (
        Entretien.objects.visibles_par(user)
        .filter(accompagnement__in=mesures)
        .select_related("accompagnement__modalite")
        .order_by("-date_heure")
    )
    vue = VuePartenaire(resident, categories, mesures, [], [], [], [])
    if Categorie.PRESENCE in categories:
        vue.presences = list(entretiens.only("date_heure", "type", "statut", "accompagnement"))
    if Categorie.NOTES in categories:
        # Confidential notes never leave their author, whatever the consent says.
        vue.notes = list(entretiens.filter(confidentiel=False).exclude(notes=""))
    if Categorie.OBJECTIFS in categories:
        vue.objectifs = list(Objectif.objects.visibles_par(user).filter(accompagnement__in=mesures))
    if Categorie.CONTRATS in categories:
        vue.contrats = list(Contrat.objects.filter(accompagnement__in=mesures).order_by("-pk"))
    return vue


# --- right of access -----------------------------------------------------------------------------


@transaction.atomic
def enregistrer_demande_acces(*, resident, par, date_demande=None, jeton=None):
    """The request, recorded once per button (`jeton`): a second submit returns the first."""
    acces.exiger_equipe(par, resident.structure)
    date_demande = date_demande or timezone.localdate()
    limite = date_demande + parametre_delta("DROIT_ACCES_DELAI", resident.structure.territoire)
    demande = DemandeAcces(
        resident=resident, date_demande=date_demande, date_limite=limite, enregistree_par=par, jeton=jeton
    )
    return enregistrer_une_fois(demande)[0]


@transaction.atomic
def marquer_remise(*, demande, par, le=None):
    acces.exiger_equipe(par, demande.resident.structure)
    courante = DemandeAcces.objects.select_for_update().get(pk=demande.pk)
    if courante.date_remise is None:
        courante.date_remise = le or timezone.localdate()
        courante.full_clean()
        courante.save(update_fields=["date_remise"])
    return courante


def _champs(objet, exclure=()):
    """Every stored field with its value (choices also given as their French label)."""
    donnees = {}
    for champ in objet._meta.concrete_fields:
        if champ.name in exclure:
            continue
        valeur = champ.value_from_object(objet)
        if hasattr(valeur, "name") and hasattr(valeur, "storage"):  # a file: its name in the archive
            valeur = valeur.name or ""
        donnees[champ.attname if champ.is_relation else champ.name] = valeur
        if champ.choices and not champ.is_relation and valeur not in (None, ""):
            donnees[f"{champ.name}_libelle"] = str(getattr(objet, f"get_{champ.name}_display")())
    return donnees


def _un(objet):
    return _champs(objet) if objet is not None else None


def dossier_complet(resident):
    """The whole file as plain data: what the JSON holds and the PDF shows."""
    from accompagnement.models import Entretien
    from admissions.models import Candidature
    from contrats.models import Contrat
    from echeances.models import SignalementSanction
    from pilotage.models import DecisionComite

    mesures = []
    for mesure in resident.accompagnements.select_related(
        "modalite", "structure", "referent", "fin_prise_en_charge", "passage_relais"
    ).order_by("date_debut"):
        entretiens = Entretien.objects.filter(accompagnement=mesure).order_by("date_heure")
        objectifs = mesure.objectifs.prefetch_related("evaluations").order_by("pk")
        contrats = Contrat.objects.filter(accompagnement=mesure).prefetch_related("versions__signatures").order_by("pk")
        mesures.append(
            {
                **_champs(mesure),
                "modalite_libelle": str(mesure.modalite),
                "structure_nom": str(mesure.structure),
                "referent_nom": str(mesure.referent),
                "entretiens": [_champs(e) for e in entretiens],
                "diagnostics": [_champs(dg) for dg in mesure.diagnostics.order_by("date", "pk")],
                "objectifs": [
                    {**_champs(o), "evaluations": [_champs(ev) for ev in o.evaluations.all()]} for o in objectifs
                ],
                "contrats": [
                    {
                        **_champs(c),
                        "versions": [
                            {
                                **_champs(v, exclure=("contenu",)),
                                "signatures": [_champs(sig) for sig in v.signatures.all()],
                            }
                            for v in c.versions.all()
                        ],
                    }
                    for c in contrats
                ],
                "syntheses": [
                    {**_champs(s), "tiers_nom": str(s.contact.tiers)}
                    for s in mesure.syntheses.select_related("contact__tiers").order_by("date_prevue", "pk")
                ],
                "reunions_coordination": [_champs(r) for r in mesure.reunions_coordination.order_by("date", "pk")],
                "logements": [_champs(lg) for lg in mesure.logements.order_by("date_debut", "pk")],
                "fin_prise_en_charge": _un(getattr(mesure, "fin_prise_en_charge", None)),
                "passage_relais": _un(getattr(mesure, "passage_relais", None)),
                "conditions_sortie": [
                    str(r.condition)
                    for r in mesure.conditions_remplies.select_related("condition").order_by("condition__ordre")
                ],
                "decisions_comite": [
                    {**_champs(dc), "comite": str(dc.comite)}
                    for dc in DecisionComite.objects.filter(accompagnement=mesure).select_related("comite")
                ],
                "signalements": [
                    _champs(sg)
                    for sg in SignalementSanction.objects.filter(accompagnement=mesure).order_by("envoye_le")
                ],
            }
        )
    candidatures = Candidature.objects.filter(resident=resident).select_related("residence", "tiers")
    partages = JournalAcces.objects.du_dossier(resident.pk).partages().order_by("horodatage")
    return {
        "genere_le": timezone.now(),
        "identite": _champs(resident, exclure=("nom_recherche",)),
        "structure": str(resident.structure),
        "candidatures": [
            {
                **_champs(c),
                "residence_nom": str(c.residence),
                "tiers_nom": str(c.tiers),
                "garanties": [_champs(g) for g in c.garanties.all()],
            }
            for c in candidatures.order_by("date_candidature", "pk")
        ],
        "accompagnements": mesures,
        "consentements": [
            {**_champs(c), "tiers_nom": str(c.tiers)} for c in resident.consentements.select_related("tiers")
        ],
        "demandes_acces": [_champs(d) for d in resident.demandes_acces.all()],
        "partages": [
            {"horodatage": p.horodatage, "par": p.identifiant, "role": p.role, "detail": p.detail} for p in partages
        ],
    }


def _joindre(archive, fichier, chemin):
    """A stored document, in the archive under `chemin` (its own extension kept)."""
    if not fichier:
        return
    extension = fichier.name.rsplit(".", 1)[-1].lower() if "." in fichier.name else "bin"
    with fichier.open("rb") as contenu:
        archive.writestr(f"{chemin}.{extension}", contenu.read())


def archive_droit_acces(resident):
    """(file name, ZIP bytes): dossier.json, dossier.pdf, every stored contract PDF and signed scan, and
    the notes sociales uploaded with an application."""
    from weasyprint import CSS, HTML

    from admissions.models import Candidature
    from contrats.models import Signature, VersionContrat

    donnees = dossier_complet(resident)
    texte_json = json.dumps(donnees, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    html = render_to_string("residents/droits/dossier_pdf.html", {"d": donnees, "resident": resident})
    pdf = HTML(string=html).write_pdf(stylesheets=[CSS(string=STYLE_PDF)])
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dossier.json", texte_json)
        archive.writestr("dossier.pdf", pdf)
        versions = VersionContrat.objects.filter(contrat__accompagnement__resident=resident).select_related("contrat")
        for version in versions:
            _joindre(archive, version.pdf, f"contrats/{version.contrat.pk}-v{version.numero}")
        scans = Signature.objects.filter(version__contrat__accompagnement__resident=resident).exclude(scan="")
        for sig in scans.select_related("version"):
            _joindre(archive, sig.scan, f"contrats/scans/{sig.version.contrat_id}-v{sig.version.numero}-{sig.partie}")
        for candidature in Candidature.objects.filter(resident=resident).exclude(note_sociale_pdf=""):
            _joindre(archive, candidature.note_sociale_pdf, f"admissions/note-sociale-{candidature.pk}")
        archive.writestr("LISEZMOI.txt", LISEZMOI)
    nom = f"dossier-{resident.pk}-{timezone.localdate():%Y%m%d}.zip"
    return nom, tampon.getvalue()


# The PDF's style is given to WeasyPrint here: templates carry no <style> (CSP rule checked on every template).
STYLE_PDF = """
@page { size: A4; margin: 18mm 16mm; @bottom-right { content: "page " counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; }
h1 { font-size: 15pt; } h2 { font-size: 12pt; margin-top: 14pt; border-bottom: 1px solid #999; } h3 { font-size: 10.5pt; }
table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #bbb; padding: 2pt 4pt; vertical-align: top; text-align: left; }
.note { white-space: pre-wrap; }
"""

LISEZMOI = """Dossier complet remis au titre du droit d'accès (RGPD, article 15).

dossier.pdf   le dossier lisible : identité, candidatures, accompagnements, entretiens et leurs notes,
              objectifs, contrats et leurs signatures, synthèses et réunions avec les partenaires,
              logement, fin de prise en charge et passage de relais, décisions des comités de suivi,
              signalements, consentements au partage et partages effectués.
dossier.json  les mêmes informations, champ par champ, dans un format lisible par une machine.
contrats/     les contrats tels qu'ils ont été figés et signés (PDF) ; contrats/scans/ : les
              exemplaires papier signés, numérisés.
admissions/   les notes sociales déposées avec une candidature.
"""
