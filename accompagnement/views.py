"""File active, entretiens and rendez-vous, the personal calendar feed."""

import datetime
import uuid
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from echeances.choix import Etat

from . import agenda as periodes
from . import ics, selectors, services
from .forms import ClotureRendezVousForm, EntretienForm, ModificationEntretienForm, RendezVousForm
from .models import Accompagnement, Entretien
from .verrou import ConflitDeVersion
from .views_communs import accompagnement_modifiable, conflit, donnees, entier, entretien_modifiable, reporter_erreurs

PAR_PAGE_FILE_ACTIVE = 100


def _jour(date):
    return date.strftime("%d/%m/%Y") if date else "—"


def _formater(ligne):
    """Dates formatted here rather than by the `date` filter: ten per row, a hundred rows a page."""
    suivi = ligne["suivi"]
    ligne["depuis"] = _jour(ligne["mesure"].date_debut)
    for nom in ("dernier_contact", "derniere_rencontre", "prochain_contact", "prochaine_rencontre"):
        ligne[nom] = _jour(getattr(suivi, nom, None))


@require_GET
def file_active(request):
    user = request.user
    referents = selectors.referents_de_l_equipe(user)
    referent_choisi = request.GET.get("referent", "")
    tri = request.GET.get("tri", "etat")
    lignes = selectors.lignes_file_active(
        user,
        le=timezone.localdate(),
        referent_id=entier(referent_choisi) if referents is not None else None,
        modalite_id=entier(request.GET.get("modalite")),
        recherche=request.GET.get("q", ""),
        etat=request.GET.get("etat", ""),
        tri=tri,
    )
    page = Paginator(lignes, PAR_PAGE_FILE_ACTIVE).get_page(request.GET.get("page"))
    for ligne in page.object_list:
        _formater(ligne)
    params = request.GET.copy()
    params.pop("page", None)
    tri_params = params.copy()
    tri_params.pop("tri", None)
    contexte = {
        "page": page,
        "total": len(lignes),
        "modalites": selectors.modalites_du_filtre(user),
        "referents": referents,
        "referent_choisi": referent_choisi,
        # Every filter the form shows, empty when not asked for (an absent key would be an undefined variable).
        "filtres": {cle: request.GET.get(cle, "") for cle in ("q", "modalite", "etat")},
        "tri": tri,
        "query_sans_page": params.urlencode(),
        "query_sans_tri": tri_params.urlencode(),
        "etats": Etat.choices,
    }
    template = "accompagnement/includes/file_active_table.html" if request.htmx else "accompagnement/file_active.html"
    return render(request, template, contexte)


# --- entretiens -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def entretien_nouveau(request, pk):
    """The short form of the dossier. With htmx the fragment is swapped in place and, when posted from
    the dossier, the same answer carries its refreshed suivi table, échéances and timeline (htmx
    out-of-band swaps): one exchange, not a POST and three follow-up requests."""
    accompagnement = accompagnement_modifiable(request, pk)
    form = EntretienForm(request.POST or None, accompagnement=accompagnement, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            entretien, cree = services.enregistrer_entretien(
                accompagnement=accompagnement,
                par=request.user,
                **donnees(form, *EntretienForm.CHAMPS, "jeton"),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            message = "Entretien enregistré." if cree else "Cet entretien était déjà enregistré."
            if not request.htmx:
                messages.success(request, message)
                return redirect("residents:dossier", accompagnement.resident_id)
            contexte = {
                "form": EntretienForm(accompagnement=accompagnement, user=request.user, choix=form.choix),
                "accompagnement": accompagnement,
                "succes": message,
            }
            if urlsplit(request.htmx.current_url or "").path == reverse(
                "residents:dossier", args=[accompagnement.resident_id]
            ):
                contexte["dossier"] = selectors.parties_du_dossier(request.user, accompagnement.resident)
            return render(request, "accompagnement/includes/entretien_enregistre.html", contexte)
    template = "accompagnement/includes/entretien_form.html" if request.htmx else "accompagnement/entretien_form.html"
    return render(request, template, {"form": form, "accompagnement": accompagnement})


@require_http_methods(["GET", "POST"])
def entretien_modifier(request, pk):
    """Correct an entretien already saved: its author or the team (write rights on the measure); a
    confidential note by its author only. A second writer gets the conflict message, their input kept."""
    entretien = entretien_modifiable(request, pk)
    if entretien.statut == Entretien.Statut.PLANIFIE:
        return redirect("accompagnement:rendez_vous_cloturer", entretien.pk)
    if entretien.statut == Entretien.Statut.ANNULE:
        messages.info(request, "Un rendez-vous annulé ne se modifie pas.")
        return redirect("residents:dossier", entretien.accompagnement.resident_id)
    if entretien.confidentiel and entretien.auteur_id != request.user.pk:
        raise PermissionDenied("Seul l'auteur modifie une note confidentielle.")
    form = ModificationEntretienForm(request.POST or None, entretien=entretien, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_entretien(
                entretien=entretien,
                par=request.user,
                version=form.cleaned_data["version"],
                **donnees(form, *ModificationEntretienForm.CHAMPS),
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, entretien)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Entretien modifié.")
            return redirect("residents:dossier", entretien.accompagnement.resident_id)
    return render(request, "accompagnement/entretien_modifier.html", {"form": form, "entretien": entretien})


# --- rendez-vous ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def rendez_vous_nouveau(request, pk):
    accompagnement = accompagnement_modifiable(request, pk)
    form = RendezVousForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.planifier_rendez_vous(
                accompagnement=accompagnement,
                par=request.user,
                **donnees(form, "type", "date_heure", "duree_minutes", "lieu", "jeton"),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Rendez-vous planifié.")
            return redirect("residents:dossier", accompagnement.resident_id)
    return render(request, "accompagnement/rendez_vous_form.html", {"form": form, "accompagnement": accompagnement})


@require_http_methods(["GET", "POST"])
def rendez_vous_cloturer(request, pk):
    entretien = entretien_modifiable(request, pk)
    if entretien.statut != Entretien.Statut.PLANIFIE:
        messages.info(request, "Ce rendez-vous a déjà été clôturé.")
        return redirect("residents:dossier", entretien.accompagnement.resident_id)
    form = ClotureRendezVousForm(request.POST or None, entretien=entretien, user=request.user)
    suivant = request.POST.get("suivant") or request.GET.get("suivant", "")
    if request.method == "POST" and form.is_valid():
        try:
            services.cloturer_rendez_vous(
                entretien=entretien,
                par=request.user,
                statut=form.cleaned_data["statut"],
                version=form.cleaned_data["version"],
                notes=form.cleaned_data["notes"],
                duree_minutes=form.cleaned_data["duree_minutes"],
                confidentiel=form.cleaned_data.get("confidentiel"),
                **donnees(form, "issue_rencontre", "issue_precisions"),
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, entretien)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Rendez-vous clôturé.")
            if suivant == "liste":
                return redirect("accompagnement:rendez_vous")
            return redirect("residents:dossier", entretien.accompagnement.resident_id)
    return render(
        request, "accompagnement/rendez_vous_cloture.html", {"form": form, "entretien": entretien, "suivant": suivant}
    )


@require_GET
def rendez_vous(request):
    """Today's and this week's rendez-vous of the user, and the past ones still to be closed."""
    maintenant = timezone.localtime()
    debut_jour = maintenant.replace(hour=0, minute=0, second=0, microsecond=0)
    fin_jour = debut_jour + datetime.timedelta(days=1)
    fin_semaine = debut_jour + datetime.timedelta(days=7 - debut_jour.weekday())
    qs = (
        Entretien.objects.visibles_par(request.user)
        .rendez_vous()
        .filter(accompagnement__referent=request.user)
        .select_related("accompagnement__resident", "accompagnement__modalite")
        .order_by("date_heure")
    )
    a_cloturer = list(qs.filter(date_heure__lt=debut_jour))
    semaine = list(qs.filter(date_heure__gte=debut_jour, date_heure__lt=fin_semaine))
    return render(
        request,
        "accompagnement/rendez_vous.html",
        {
            "a_cloturer": a_cloturer,
            "aujourdhui": [r for r in semaine if r.date_heure < fin_jour],
            "semaine": [r for r in semaine if r.date_heure >= fin_jour],
            "maintenant": maintenant,
            "url_calendrier": _url_calendrier(request),
        },
    )


def _debut(jour):
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time.min))


@require_GET
def agenda(request):
    """Day, week or month of planned rendez-vous, by day, today's first. A manager sees the structure's,
    and may pick one référent; a bad date or view in the query string falls back to today's week."""
    user = request.user
    aujourdhui = timezone.localdate()
    periode, referents, referent_id, rdvs = selectors.agenda_demande(user, request.GET, aujourdhui)
    rdvs = list(rdvs)
    referent_choisi = request.GET.get("referent", "")
    if periode.contient(aujourdhui):
        du_jour = [r for r in rdvs if timezone.localtime(r.date_heure).date() == aujourdhui]
    else:
        du_jour = list(
            selectors.rendez_vous_de_l_agenda(
                user, debut=_debut(aujourdhui), fin=_debut(aujourdhui + datetime.timedelta(days=1)),
                referent_id=referent_id,
            )
        )  # fmt: skip
    par_jour = {}
    for rdv in rdvs:
        par_jour.setdefault(timezone.localtime(rdv.date_heure).date(), []).append(rdv)
    # A month shows its days with rendez-vous only; a day or a week, each of its days. Today comes first,
    # on its own, not again in its place.
    jours = [j for j in (periode.jours if periode.vue != "mois" else sorted(par_jour)) if j != aujourdhui]
    filtre = {"referent": referent_choisi} if referent_id is not None else {}
    return render(
        request,
        "accompagnement/agenda.html",
        {
            "periode": periode,
            "vues": [(cle, libelle, _url_agenda(cle, periode.debut, filtre)) for cle, libelle in periodes.VUES.items()],
            "url_precedente": _url_agenda(periode.vue, periode.precedente.debut, filtre),
            "url_suivante": _url_agenda(periode.vue, periode.suivante.debut, filtre),
            "url_aujourdhui": _url_agenda(periode.vue, aujourdhui, filtre),
            "aujourdhui": aujourdhui,
            "du_jour": du_jour,
            "jours": [(jour, par_jour.get(jour, [])) for jour in jours],
            "nombre": len(rdvs),
            "referents": referents,
            "referent_choisi": referent_choisi,
            "maintenant": timezone.now(),
        },
    )


def _url_agenda(vue, jour, filtre):
    return f"{reverse('accompagnement:agenda')}?{urlencode({'vue': vue, 'date': jour.isoformat(), **filtre})}"


# --- calendar feed ----------------------------------------------------------------------------------


def _url_calendrier(request):
    jeton = request.user.jeton_calendrier
    if not jeton:
        return None
    return request.build_absolute_uri(reverse("accompagnement:calendrier", args=[jeton]))


@require_POST
def calendrier_regenerer(request):
    """A new secret URL; the old one stops working at once (a leaked link is revoked this way)."""
    User.objects.filter(pk=request.user.pk).update(jeton_calendrier=uuid.uuid4())
    messages.success(request, "Nouvelle adresse du calendrier créée : l'ancienne ne fonctionne plus.")
    return redirect("accompagnement:rendez_vous")


@login_not_required
@require_GET
def calendrier(request, jeton):
    """The référent's own planned rendez-vous as ICS. No login (calendar apps cannot log in): the secret
    URL is the credential. No notes and only initials of the person (confidentiality)."""
    user = User.objects.filter(jeton_calendrier=jeton, is_active=True).first()
    if user is None:
        raise Http404("Calendrier inconnu.")
    depuis = timezone.now() - datetime.timedelta(days=30)
    rdvs = (
        Entretien.objects.rendez_vous()
        # Only the measures the user still sees (an archived file, a structure left since: nothing).
        .filter(accompagnement__referent=user, accompagnement__in=Accompagnement.objects.visibles_par(user))
        .filter(date_heure__gte=depuis)
        .select_related("accompagnement__resident")
        .order_by("date_heure")
    )
    contenu = ics.calendrier(rdvs, hote=request.get_host())
    reponse = HttpResponse(contenu, content_type="text/calendar; charset=utf-8")
    reponse["Content-Disposition"] = 'inline; filename="rendez-vous.ics"'
    reponse["Cache-Control"] = "private, max-age=300"
    return reponse
