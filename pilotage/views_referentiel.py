"""The référentiel for its administrator: every value with its dated versions (à venir, en vigueur,
remplacée), a new version prepared with the impact it would have on its day shown before it is saved,
an upcoming version edited or withdrawn. A version in force or past is never edited: superseded only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts import acces
from echeances.impact import impact
from referentiel.models import Modalite, Parametre, SurchargeModalite

from .forms_referentiel import DEJA, VersionModaliteForm, VersionParametreForm, niveau_de


def _exiger_administrateur(user):
    if not acces.administre_le_referentiel(user):
        raise PermissionDenied("Le référentiel est administré par l'administrateur.")


# The badge of each status, for the modalities' and the parameters' tables alike.
CLASSES_STATUT = {"à venir": "text-bg-info", "en vigueur": "text-bg-success", "remplacée": "text-bg-secondary"}


def _avec_statuts(versions):
    """Each version with its status today: the next one of the same level decides « remplacée »."""
    versions = sorted(versions, key=lambda v: (str(v.niveau), v.en_vigueur_le or timezone.datetime.min.date()))
    for version, suivante in zip(versions, [*versions[1:], None], strict=False):
        meme_niveau = suivante is not None and str(suivante.niveau) == str(version.niveau)
        version.statut_du_jour = version.statut(suivante=suivante if meme_niveau else None)
        version.classe_statut = CLASSES_STATUT[version.statut_du_jour]
    return versions


@require_http_methods(["GET"])
def referentiel(request):
    _exiger_administrateur(request.user)
    surcharges = {}
    for version in SurchargeModalite.objects.select_related("departement", "territoire"):
        surcharges.setdefault(version.modalite_id, []).append(version)
    modalites = []
    for m in Modalite.objects.all():
        versions = _avec_statuts(surcharges.get(m.pk, []))
        # The modality's own values apply until a national version does (a local one overlays them).
        nationale = any(v.niveau == "national" and v.statut_du_jour == "en vigueur" for v in versions)
        origine = "remplacée" if nationale else "en vigueur"
        modalites.append(
            {"modalite": m, "versions": versions, "origine": origine, "classe_origine": CLASSES_STATUT[origine]}
        )
    parametres = {}
    for version in Parametre.objects.select_related("departement", "territoire"):
        parametres.setdefault(version.code, []).append(version)
    lignes = [
        {"code": code, "libelle": Parametre.Code(code).label, "versions": _avec_statuts(versions)}
        for code, versions in sorted(parametres.items(), key=lambda item: Parametre.Code(item[0]).label.lower())
    ]
    return render(request, "pilotage/referentiel/liste.html", {"modalites": modalites, "parametres": lignes})


@require_http_methods(["GET", "POST"])
def version_modalite(request, modalite, pk=None):
    _exiger_administrateur(request.user)
    modalite = get_object_or_404(Modalite, pk=modalite)
    instance = _a_venir(SurchargeModalite.objects.filter(modalite=modalite), pk)
    form = VersionModaliteForm(request.POST or None, instance=instance, modalite=modalite)
    if instance is None and not request.POST:
        form.initial.update(_valeurs_d_origine(modalite, request.GET.get("depuis")))
    return _preparer(request, form, titre=f"{modalite.libelle}")


@require_http_methods(["GET", "POST"])
def version_parametre(request, code, pk=None):
    _exiger_administrateur(request.user)
    if code not in Parametre.Code.values:
        raise Http404("Paramètre inconnu.")
    existante = (
        Parametre.objects.filter(code=code, departement=None, territoire=None)
        .order_by(F("en_vigueur_le").desc(nulls_last=True))
        .first()
    )
    instance = _a_venir(Parametre.objects.filter(code=code), pk)
    nature = existante.nature if existante else Parametre.Nature.DELAI
    form = VersionParametreForm(request.POST or None, instance=instance, code=code, nature=nature)
    if instance is None and not request.POST and existante is not None:
        form.initial["valeur"] = existante.valeur
    return _preparer(request, form, titre=Parametre.Code(code).label)


@require_POST
def retirer_version(request, genre, pk):
    _exiger_administrateur(request.user)
    modeles = {"modalite": SurchargeModalite, "parametre": Parametre}
    if genre not in modeles:
        raise Http404("Version inconnue.")
    modele = modeles[genre]
    version = _a_venir(modele.objects.all(), pk)
    libelle = str(version)
    version.delete()
    messages.success(request, f"Version à venir retirée : {libelle}.")
    return redirect("pilotage:referentiel")


def _a_venir(versions, pk):
    """The version to edit: only an upcoming one (404 otherwise, a version in force is superseded)."""
    if pk is None:
        return None
    version = get_object_or_404(versions, pk=pk)
    if not version.modifiable():
        raise PermissionDenied("Cette version est en vigueur ou passée : elle ne se modifie plus, on la remplace.")
    return version


def _valeurs_d_origine(modalite, depuis):
    """A new version starts from the one it follows (the latest of the level), else from the modality's values."""
    precedente = SurchargeModalite.objects.filter(modalite=modalite, pk=depuis).first() if depuis else None
    source = precedente or modalite
    valeurs = {nom: getattr(source, nom) for nom in VersionModaliteForm.Meta.fields if hasattr(source, nom)}
    valeurs.pop("en_vigueur_le", None)
    valeurs.pop("source", None)  # a new version has its own
    if precedente is not None:
        valeurs["niveau"] = niveau_de(precedente)
    return valeurs


def _preparer(request, form, *, titre):
    """« Voir l'impact » computes it without saving; « Enregistrer » saves what was previewed (other values
    than those previewed: the preview again, for these)."""
    apercu = None
    if request.method == "POST" and form.is_valid():
        empreinte = form.empreinte_calculee()
        if "enregistrer" in request.POST and request.POST.get("empreinte") == empreinte:
            try:
                with transaction.atomic():
                    version = form.save()
            except IntegrityError:  # the same version saved meanwhile (a double click)
                form.add_error("en_vigueur_le", DEJA)
            else:
                messages.success(request, f"Version enregistrée : {version}.")
                return redirect("pilotage:referentiel")
        if form.is_valid():
            if "enregistrer" in request.POST:
                messages.info(request, "Les valeurs ont changé depuis l'aperçu : voici l'impact de celles-ci.")
            apercu = impact(form.instance)
            form.data = form.data.copy()
            form.data["empreinte"] = empreinte
    genre = "modalite" if isinstance(form.instance, SurchargeModalite) else "parametre"
    contexte = {"form": form, "titre": titre, "apercu": apercu, "version": form.instance, "genre": genre}
    return render(request, "pilotage/referentiel/version.html", contexte)
