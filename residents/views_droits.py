"""Screens of the person's rights: consents (référent), the partner's pages, the right of access,
who accessed the file, and the retention report."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accompagnement.views_communs import reporter_erreurs
from accounts import acces
from journal.models import JournalAcces
from journal.services import tracer_partage

from . import droits as services_droits
from . import retention
from .forms_droits import ArchivageForm, ConsentementForm, DemandeAccesForm
from .models import Consentement, DemandeAcces, Resident


def _dossier_equipe(request, pk):
    """A file the user sees AND whose structure's team they belong to; 404 for outsiders, 403 for
    those who may read but not act (a délégué)."""
    resident = get_object_or_404(Resident.objects.visibles_par(request.user).select_related("structure"), pk=pk)
    acces.exiger_equipe(request.user, resident.structure)
    return resident


@require_GET
def droits(request, pk):
    resident = _dossier_equipe(request, pk)
    demandes = list(resident.demandes_acces.all())
    contexte = {
        "resident": resident,
        "consentements": resident.consentements.select_related("tiers", "recueilli_par"),
        "demandes": demandes,
        "demande_ouverte": any(d.date_remise is None for d in demandes),
        # Who accessed the file, and the complete file (every author's confidential notes): the same two.
        "voit_journal": acces.est_responsable_du_dossier(request.user, resident),
        "remet_dossier": acces.est_responsable_du_dossier(request.user, resident),
        "demande_form": DemandeAccesForm(),
    }
    return render(request, "residents/droits/droits.html", contexte)


@require_http_methods(["GET", "POST"])
def consentement_nouveau(request, pk):
    resident = _dossier_equipe(request, pk)
    form = ConsentementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_droits.enregistrer_consentement(resident=resident, par=request.user, **form.cleaned_data)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Consentement enregistré : le partenaire voit désormais ces informations.")
            return redirect("residents:droits", resident.pk)
    return render(request, "residents/droits/consentement_form.html", {"resident": resident, "form": form})


@require_POST
def consentement_retirer(request, pk):
    consentement = get_object_or_404(
        Consentement.objects.filter(resident__in=Resident.objects.visibles_par(request.user)), pk=pk
    )
    services_droits.retirer_consentement(consentement=consentement, par=request.user)
    messages.success(request, "Consentement retiré : le partenaire n'a plus accès à ces informations.")
    return redirect("residents:droits", consentement.resident_id)


@require_POST
def demande_acces(request, pk):
    resident = _dossier_equipe(request, pk)
    form = DemandeAccesForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Formulaire invalide : rechargez la page.")
        return redirect("residents:droits", resident.pk)
    demande = services_droits.enregistrer_demande_acces(
        resident=resident, par=request.user, jeton=form.cleaned_data["jeton"]
    )
    messages.success(
        request, f"Demande d'accès enregistrée : à remettre au plus tard le {demande.date_limite:%d/%m/%Y}."
    )
    return redirect("residents:droits", resident.pk)


@require_POST
def demande_remise(request, pk):
    demande = get_object_or_404(
        DemandeAcces.objects.filter(resident__in=Resident.objects.visibles_par(request.user)), pk=pk
    )
    services_droits.marquer_remise(demande=demande, par=request.user)
    messages.success(request, "Demande d'accès marquée comme remise.")
    return redirect("residents:droits", demande.resident_id)


@require_GET
def droit_acces_zip(request, pk):
    """The complete file, to answer an open request of the person: by the structure's responsable or the
    data-protection officer only (logged as an export by journal.middleware)."""
    resident = _dossier_equipe(request, pk)
    if not acces.est_responsable_du_dossier(request.user, resident):
        raise PermissionDenied(
            "Le dossier complet est remis par le responsable de la structure ou le délégué à la protection des données."
        )
    if not resident.demandes_acces.filter(date_remise__isnull=True).exists():
        raise PermissionDenied("Enregistrez d'abord la demande d'accès de la personne.")
    nom, contenu = services_droits.archive_droit_acces(resident)
    response = HttpResponse(contenu, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response


@require_GET
def journal_dossier(request, pk):
    """Who accessed this file."""
    resident = get_object_or_404(Resident.objects.visibles_par(request.user), pk=pk)
    if not acces.est_responsable_du_dossier(request.user, resident):
        raise PermissionDenied
    lignes = JournalAcces.objects.du_dossier(resident.pk)[:500]
    return render(request, "residents/droits/journal.html", {"resident": resident, "lignes": lignes})


# --- partner -------------------------------------------------------------------------------------


def _exiger_partenaire(user):
    if not user.is_partenaire:
        raise Http404


@require_GET
def partenaire_personnes(request):
    _exiger_partenaire(request.user)
    personnes = Resident.objects.visibles_par(request.user).order_by("nom", "prenom")
    return render(request, "residents/partenaire/personnes.html", {"personnes": personnes})


@require_GET
def partenaire_dossier(request, pk):
    _exiger_partenaire(request.user)
    resident = get_object_or_404(Resident.objects.visibles_par(request.user), pk=pk)
    vue = services_droits.vue_partenaire(request.user, resident)
    tracer_partage(
        request=request,
        resident=resident,
        categories=sorted(vue.categories),
        tiers=request.user.contact_partenaire.tiers,
    )
    return render(request, "residents/partenaire/dossier.html", {"vue": vue, "resident": resident})


# --- retention -----------------------------------------------------------------------------------


def _exiger_responsable(user):
    if not acces.gere_la_conservation(user):
        raise Http404


@require_GET
def retention_rapport(request):
    """Dry run: the files the daily job will anonymise once their préavis is over, for the manager of
    their structure to read (and archive with a reason those that must be kept)."""
    _exiger_responsable(request.user)
    residents = acces.dossiers_de_conservation(Resident.objects.visibles_par(request.user), request.user)
    candidats = retention.candidats(residents)
    for r in candidats:  # one small form per row, its own ids
        r.form_archivage = ArchivageForm(auto_id=f"id_%s_{r.pk}")
    contexte = {
        "candidats": candidats,
        "preavis_jours": retention.preavis().days,
    }
    return render(request, "residents/droits/retention.html", contexte)


@require_POST
def archiver(request, pk):
    _exiger_responsable(request.user)
    resident = get_object_or_404(Resident.objects.visibles_par(request.user), pk=pk)
    if not acces.est_responsable_du_dossier(request.user, resident):
        raise PermissionDenied(retention.ARCHIVAGE_REFUSE)
    form = ArchivageForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez le motif de l'archivage (300 caractères au plus).")
        return redirect("residents:retention")
    retention.archiver(resident=resident, par=request.user, motif=form.cleaned_data["motif"])
    messages.success(request, "Dossier archivé : il n'apparaît plus dans les listes, son accès est restreint.")
    return redirect("residents:retention")
