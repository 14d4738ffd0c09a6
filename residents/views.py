"""People: list and search, creation, edit (optimistic locking), and the dossier with its htmx parts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accompagnement import selectors
from accompagnement.forms import EntretienForm
from accompagnement.models import Entretien
from accompagnement.verrou import ConflitDeVersion
from accompagnement.views_communs import reporter_erreurs
from accounts import acces
from echeances.moteur import Contexte

from . import doublons, services
from .forms import BESOINS, CHAMPS, ResidentForm
from .models import Resident
from .selectors import personnes

SECTIONS_EXTERNES = {
    "section_orientation": "accompagnement/includes/section_orientation.html",
    "section_contrats": "contrats/includes/section_dossier.html",
    "section_echeances": "echeances/includes/section_dossier.html",
    "section_admissions": "admissions/includes/section_dossier.html",
    "section_droits": "residents/includes/section_droits.html",
    "section_comites": "pilotage/includes/section_dossier.html",
    "section_diagnostic": "accompagnement/includes/section_diagnostic.html",
}


@require_GET
def liste(request):
    qs = personnes(request.user, request.GET.get("q", ""))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = "residents/includes/liste_table.html" if request.htmx else "residents/liste.html"
    return render(request, template, {"page": page, "q": request.GET.get("q", "")})


@require_http_methods(["GET", "POST"])
def creer(request):
    pour = request.POST.get("pour") or request.GET.get("pour")
    pour = pour if pour in BESOINS else ""
    form = ResidentForm(request.POST or None, user=request.user, pour=pour)
    candidats = None
    if request.method == "POST" and form.is_valid():
        # Likely duplicates are shown before anything is saved; creating anyway is an explicit choice.
        candidats = doublons.candidats(
            request.user,
            nom=form.cleaned_data["nom"],
            prenom=form.cleaned_data["prenom"],
            date_naissance=form.cleaned_data["date_naissance"],
            nom_naissance=form.cleaned_data.get("nom_naissance", ""),
        )
        if not candidats or request.POST.get("creer_quand_meme") == "1":
            try:
                resident = services.creer_resident(
                    par=request.user,
                    structure=form.cleaned_data["structure"],
                    jeton=form.cleaned_data["jeton"],
                    **{c: form.cleaned_data[c] for c in CHAMPS if c in form.cleaned_data},
                )
            except ValidationError as erreur:
                reporter_erreurs(form, erreur)
            else:
                messages.success(request, "Personne enregistrée.")
                return redirect("residents:dossier", resident.pk)
    contexte = {
        "form": form,
        "titre": "Nouvelle personne",
        "resident": None,
        "doublons": candidats,
        "pour": pour,
        "besoins": BESOINS,
    }
    return render(request, "residents/form.html", contexte)


@require_http_methods(["GET", "POST"])
def modifier(request, pk):
    resident = get_object_or_404(Resident.objects.visibles_par(request.user), pk=pk)
    acces.exiger_equipe(request.user, resident.structure)
    form = ResidentForm(
        request.POST or None, instance=resident, user=request.user, initial={"version": resident.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_resident(
                resident=resident,
                par=request.user,
                version=form.cleaned_data["version"],
                **{c: form.cleaned_data[c] for c in CHAMPS},
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            # What the user typed stays; the version moves on so that saving again, after checking, works.
            data = form.data.copy()
            data["version"] = Resident.objects.get(pk=resident.pk).version
            form.data = data
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Dossier mis à jour.")
            return redirect("residents:dossier", resident.pk)
    return render(request, "residents/form.html", {"form": form, "titre": f"Modifier {resident}", "resident": resident})


def _resident(request, pk):
    # The user's structures are read once: write rights are asked for every measure and entretien.
    prefetch_related_objects([request.user], "structures")
    return get_object_or_404(
        Resident.objects.visibles_par(request.user).select_related("structure", "menage", "orientation", "residence"),
        pk=pk,
    )


def _sections_externes():
    sections = {}
    for nom, template in SECTIONS_EXTERNES.items():
        try:
            get_template(template)
        except TemplateDoesNotExist:
            continue
        sections[nom] = template
    return sections


def _conjoint(request, resident):
    """The conjoint's name and link only if the user may see their file; otherwise just that there is one."""
    conjoint = resident.autre_membre_du_couple
    visible = conjoint is not None and Resident.objects.visibles_par(request.user).filter(pk=conjoint.pk).exists()
    return {"conjoint": conjoint if visible else None, "conjoint_masque": conjoint is not None and not visible}


def _contexte_sections(request, resident, mesures, *, ecrivables=None, le=None, contexte_echeances=None):
    """What the dossier's sections below the person's measures read (orientation, diagnostic, échéances
    to deal with, contracts, committees, reports, partners, rights): about fifteen queries, the engine's
    rules among them, that the dossier's first answer does not wait for (they come by htmx, SECTIONS)."""
    user = request.user
    le = le or timezone.localdate()
    if ecrivables is None:
        ecrivables = {m.pk for m in acces.mesures_modifiables(user, mesures)}
    return {
        "resident": resident,
        "accompagnements": mesures,
        "ecrivables": ecrivables,
        "equipe": acces.peut_agir(user, resident.structure),
        "voit_journal": acces.est_responsable_du_dossier(user, resident),
        "echeances": selectors.echeances_a_traiter(mesures, le=le, contexte=contexte_echeances, resident=resident),
        **_sections_externes(),
    }


@require_GET
def dossier(request, pk):
    """The dossier. Its sections below the person's measures are loaded by htmx as soon as the page is
    shown (residents:suivi ?partie=sections); without script, `?sections=1` renders them in the page."""
    resident = _resident(request, pk)
    user = request.user
    le = timezone.localdate()
    # The référentiel is read once for the suivi table and, in the page, the « Échéances à traiter » section.
    contexte_echeances = Contexte(le)
    mesures = selectors.mesures_du_dossier(user, resident)
    # Write rights for every measure at once (not one query per measure); the active ones take entries.
    ecrivables = {m.pk for m in acces.mesures_modifiables(user, mesures)}
    modifiables = [m for m in mesures if m.est_actif and m.pk in ecrivables]
    mesure_saisie = modifiables[0] if modifiables else None
    choisie = request.GET.get("mesure", "")
    for mesure in modifiables:
        if str(mesure.pk) == choisie:
            mesure_saisie = mesure
    contexte = {
        "resident": resident,
        "accompagnements": mesures,
        "mesures_modifiables": modifiables,
        "ecrivables": ecrivables,
        "equipe": acces.peut_agir(user, resident.structure),
        "lignes_suivi": selectors.lignes_suivi(mesures, le=le, contexte=contexte_echeances),
        **selectors.chronologie(user, resident, page=request.GET.get("page"), mesures=mesures),
        "rendez_vous": Entretien.objects.visibles_par(user)
        .rendez_vous()
        .filter(accompagnement__resident=resident)
        .select_related("accompagnement__modalite")
        .order_by("date_heure"),
        "maintenant": timezone.now(),
        "mesure_saisie": mesure_saisie,
        "form_entretien": EntretienForm(accompagnement=mesure_saisie, user=user) if mesure_saisie else None,
        **_conjoint(request, resident),
    }
    if request.GET.get("sections"):
        contexte["sections_dans_la_page"] = True
        contexte.update(
            _contexte_sections(
                request, resident, mesures, ecrivables=ecrivables, le=le, contexte_echeances=contexte_echeances
            )
        )
    return render(request, "residents/dossier.html", contexte)


@require_GET
def entretiens(request, pk):
    """The timeline alone (htmx: pagination and refresh after an entretien is logged)."""
    resident = _resident(request, pk)
    return render(
        request,
        "residents/includes/entretiens.html",
        {"resident": resident, **selectors.chronologie(request.user, resident, page=request.GET.get("page"))},
    )


@require_GET
def suivi(request, pk):
    """Due dates and states alone, or with ?partie=echeances the « Échéances à traiter » section
    (htmx refresh of both after an entretien is logged), or with ?partie=historique the history of
    changes (loaded by htmx when the reader gets to it: five history queries the dossier need not wait for),
    or with ?partie=sections the dossier's sections below the measures (loaded by htmx once the page is shown)."""
    resident = _resident(request, pk)
    mesures = selectors.mesures_du_dossier(request.user, resident, parcours=False)
    le = timezone.localdate()
    if request.GET.get("partie") == "sections":
        return render(
            request, "residents/includes/sections.html", _contexte_sections(request, resident, mesures, le=le)
        )
    if request.GET.get("partie") == "historique":  # loaded when the section comes into view
        contexte = {"historique": selectors.historique(request.user, resident, mesures)}
        return render(request, "residents/includes/historique.html", contexte)
    if request.GET.get("partie") == "echeances":
        contexte = {"resident": resident, "echeances": selectors.echeances_a_traiter(mesures, le=le)}
        return render(request, SECTIONS_EXTERNES["section_echeances"], contexte)
    return render(
        request,
        "residents/includes/suivi.html",
        {"resident": resident, "lignes_suivi": selectors.lignes_suivi(mesures, le=le)},
    )
