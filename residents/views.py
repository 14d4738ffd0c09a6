"""People: list and search, creation, edit (optimistic locking), and the dossier with its htmx parts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Window, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accompagnement.forms import EntretienForm
from accompagnement.models import Accompagnement, ActionCollective, CoReferent, Entretien, Objectif, Participation
from accompagnement.suivi import contexte_du_jour, libelle_etat, suivis
from accompagnement.verrou import ConflitDeVersion
from accompagnement.views_communs import reporter_erreurs
from accounts import acces

from . import doublons, services
from .forms import BESOINS, CHAMPS, ResidentForm
from .models import Resident

ENTRETIENS_PAR_PAGE = 20
MAX_PAGES = 100_000  # beyond, an OFFSET PostgreSQL refuses: left to get_page (the last page)
SECTIONS_EXTERNES = {
    "section_contrats": "contrats/includes/section_dossier.html",
    "section_echeances": "echeances/includes/section_dossier.html",
    "section_admissions": "admissions/includes/section_dossier.html",
    "section_droits": "residents/includes/section_droits.html",
}


@require_GET
def liste(request):
    qs = Resident.objects.visibles_par(request.user).recherche(request.GET.get("q", "")).order_by("nom", "prenom")
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
    contexte = {"form": form, "titre": "Nouvelle personne", "doublons": candidats, "pour": pour, "besoins": BESOINS}
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


def _page_comptee(qs, numero):
    """The page `numero` of `qs`, its rows and their total read in one query (COUNT(*) OVER ()) rather than
    a count and then the rows. Anything else (not a number, out of range, no row) is left to get_page."""
    paginator = Paginator(qs, ENTRETIENS_PAR_PAGE)
    try:
        n = int(numero or 1)
    except ValueError:
        n = 1  # as get_page: not a number, the first page
    lignes = []
    if 1 <= n <= MAX_PAGES:
        debut = (n - 1) * ENTRETIENS_PAR_PAGE
        lignes = list(qs.annotate(total=Window(Count("pk")))[debut : debut + ENTRETIENS_PAR_PAGE])
    if not lignes:
        return paginator.get_page(numero)
    paginator.count = lignes[0].total  # a cached_property: get_page and the template ask no count
    page = paginator.page(n)
    page.object_list = lignes
    return page


def _chronologie(request, resident, mesures=None):
    """One page of the timeline, most recent first: the entretiens (paginated, each marked `modifiable`
    or not) and, between the same dates, the workshops the person took part in (each participation
    counts as a contact). A fixed number of queries whatever the number of rows. `mesures`: the person's
    measures the page has already read (with their modality), not joined again."""
    user = request.user
    deja_lues = {m.pk: m for m in mesures or ()}
    qs = (
        Entretien.objects.visibles_par(user)
        .filter(accompagnement__resident=resident)
        .select_related("auteur", *(() if deja_lues else ("accompagnement__modalite",)))
        # Into lists (to_attr): a related manager per entretien and field costs more than the query.
        .prefetch_related(
            Prefetch("participants", to_attr="les_participants"),
            Prefetch("partenaires", to_attr="les_partenaires"),
            Prefetch("objectifs", to_attr="les_objectifs"),
        )
        .order_by("-date_heure", "-pk")
    )
    page = _page_comptee(qs, request.GET.get("page"))
    entretiens = list(page.object_list)
    for e in entretiens:
        if e.accompagnement_id in deja_lues:
            e.accompagnement = deja_lues[e.accompagnement_id]
    mesures = {e.accompagnement_id: e.accompagnement for e in entretiens}
    ecrivables = {m.pk for m in acces.mesures_modifiables(user, mesures.values())}
    for e in entretiens:
        e.modifiable = (
            e.accompagnement_id in ecrivables
            and e.statut not in (Entretien.Statut.PLANIFIE, Entretien.Statut.ANNULE)
            and (not e.confidentiel or e.auteur_id == user.pk)
        )
    ateliers = Participation.objects.filter(
        resident=resident, action__in=ActionCollective.objects.visibles_par(user)
    ).select_related("action")
    if page.has_next():
        ateliers = ateliers.filter(action__date_heure__gte=entretiens[-1].date_heure)
    if page.has_previous():
        dernier_de_la_page_precedente = qs.values_list("date_heure", flat=True)[page.start_index() - 2]
        ateliers = ateliers.filter(action__date_heure__lt=dernier_de_la_page_precedente)
    elements = [*entretiens, *ateliers]
    for element in elements:
        # Both kinds carry it: a template lookup an object lacks costs a dir() of it.
        element.est_atelier = isinstance(element, Participation)
    elements.sort(key=lambda o: o.action.date_heure if isinstance(o, Participation) else o.date_heure, reverse=True)
    return {"page_entretiens": page, "chronologie": elements}


def _lignes_suivi(mesures, le, contexte=None):
    actives = [m for m in mesures if m.est_actif]
    par_mesure = suivis([m.pk for m in actives], le=le, contexte=contexte) if actives else {}
    lignes = []
    for mesure in actives:
        suivi = par_mesure.get(mesure.pk)
        etat = getattr(suivi, "etat", None)
        lignes.append({"mesure": mesure, "suivi": suivi, "etat": etat, "etat_libelle": libelle_etat(etat)})
    return lignes


def _mesures(request, resident):
    return list(
        Accompagnement.objects.visibles_par(request.user)
        .filter(resident=resident)
        .select_related("modalite", "referent", "structure")
        # Rarely set: fetched apart (no query when none is), six more joins took 3 ms to plan, each time.
        .prefetch_related(
            "precedent__modalite",
            "relais_contact__tiers",
            "relais_user",
            Prefetch("coreferents", queryset=CoReferent.objects.select_related("user", "contact__tiers")),
            Prefetch("objectifs", queryset=Objectif.objects.prefetch_related("evaluations")),
        )
        .order_by("-date_debut")
    )


ACTIONS_HISTORIQUE = {"+": "création", "~": "modification", "-": "suppression"}
HISTORIQUE_PAR_SORTE = 15


def _historique(request, resident, mesures):
    """The latest changes of the person's file (who, when, what): identity, measures, the entretiens
    the user may read (never a note's text), objectives, co-referents. One query per kind."""
    ids = [m.pk for m in mesures]
    lisibles = Entretien.objects.visibles_par(request.user).filter(accompagnement_id__in=ids).values("pk")
    sortes = [
        (resident.history.all(), lambda h: "de l'identité"),
        (
            Accompagnement.history.filter(id__in=ids).select_related("modalite"),
            lambda h: f"de la mesure {h.modalite.libelle}",
        ),
        (
            Entretien.history.filter(id__in=lisibles),
            lambda h: f"de l'entretien du {timezone.localtime(h.date_heure):%d/%m/%Y} ({h.get_type_display()})",
        ),
        (Objectif.history.filter(accompagnement_id__in=ids), lambda h: f"de l'objectif « {h.libelle} »"),
        (
            CoReferent.history.filter(accompagnement_id__in=ids).select_related("user", "contact__tiers"),
            lambda h: f"du co-référent {h.user or h.contact}",
        ),
    ]
    lignes = []
    for qs, objet in sortes:
        for h in qs.select_related("history_user").order_by("-history_date")[:HISTORIQUE_PAR_SORTE]:
            lignes.append(
                {
                    "date": h.history_date,
                    "auteur": h.history_user,
                    "action": ACTIONS_HISTORIQUE.get(h.history_type, "modification"),
                    "objet": objet(h),
                }
            )
    return sorted(lignes, key=lambda ligne: ligne["date"], reverse=True)[:20]


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


@require_GET
def dossier(request, pk):
    resident = _resident(request, pk)
    le = timezone.localdate()
    # The référentiel is read once for the suivi table and the « Échéances à traiter » section.
    contexte_echeances = contexte_du_jour(le)
    mesures = _mesures(request, resident)
    # Write rights for every measure at once (not one query per measure); the active ones take entries.
    ecrivables = {m.pk for m in acces.mesures_modifiables(request.user, mesures)}
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
        "equipe": acces.peut_agir(request.user, resident.structure),
        "voit_journal": acces.est_responsable_du_dossier(request.user, resident),
        "lignes_suivi": _lignes_suivi(mesures, le, contexte_echeances),
        "contexte_echeances": contexte_echeances,
        **_chronologie(request, resident, mesures),
        "rendez_vous": Entretien.objects.visibles_par(request.user)
        .rendez_vous()
        .filter(accompagnement__resident=resident)
        .select_related("accompagnement__modalite")
        .order_by("date_heure"),
        "maintenant": timezone.now(),
        "mesure_saisie": mesure_saisie,
        "form_entretien": EntretienForm(accompagnement=mesure_saisie, user=request.user) if mesure_saisie else None,
        **_conjoint(request, resident),
        **_sections_externes(),
    }
    return render(request, "residents/dossier.html", contexte)


@require_GET
def entretiens(request, pk):
    """The timeline alone (htmx: pagination and refresh after an entretien is logged)."""
    resident = _resident(request, pk)
    return render(
        request,
        "residents/includes/entretiens.html",
        {"resident": resident, **_chronologie(request, resident)},
    )


@require_GET
def suivi(request, pk):
    """Due dates and states alone, or with ?partie=echeances the « Échéances à traiter » section
    (htmx refresh of both after an entretien is logged), or with ?partie=historique the history of
    changes (loaded by htmx when the reader gets to it: five history queries the dossier need not wait for)."""
    resident = _resident(request, pk)
    mesures = _mesures(request, resident)
    if request.GET.get("partie") == "historique":  # loaded when the section comes into view
        contexte = {"historique": _historique(request, resident, mesures)}
        return render(request, "residents/includes/historique.html", contexte)
    if request.GET.get("partie") == "echeances":
        template = SECTIONS_EXTERNES["section_echeances"]
        return render(request, template, {"resident": resident, "accompagnements": mesures})
    return render(
        request,
        "residents/includes/suivi.html",
        {"resident": resident, "lignes_suivi": _lignes_suivi(mesures, timezone.localdate())},
    )
