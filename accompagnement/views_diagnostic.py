"""The diagnostic global partagé: made with the person before her first contract, read from her dossier."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts import acces

from . import services
from .forms import DiagnosticForm, ModificationDiagnosticForm
from .models import Diagnostic
from .pdf import diagnostic_pdf
from .verrou import ConflitDeVersion
from .views_communs import accompagnement_modifiable, conflit, donnees, reporter_erreurs

# Where the form sends back once saved: only these named returns, never a URL taken from the request.
SUITE_CONTRAT = "contrat"


def _suite(request, diagnostic):
    if request.GET.get("suite") == SUITE_CONTRAT:
        messages.success(request, "Diagnostic enregistré : vous pouvez maintenant rédiger le contrat.")
        return redirect("contrats:nouveau", accompagnement_pk=diagnostic.accompagnement_id)
    messages.success(request, "Diagnostic enregistré.")
    return redirect("accompagnement:diagnostic", diagnostic.pk)


@require_http_methods(["GET", "POST"])
def diagnostic_nouveau(request, pk):
    accompagnement = accompagnement_modifiable(request, pk)
    if not accompagnement.prevoit_un_diagnostic:  # told at once, not after the form is filled in
        messages.error(request, f"Le diagnostic global partagé ne concerne pas « {accompagnement.modalite} ».")
        return redirect("residents:dossier", accompagnement.resident_id)
    form = DiagnosticForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            diagnostic = services.enregistrer_diagnostic(
                accompagnement=accompagnement,
                par=request.user,
                **donnees(form, "date", *services.CHAMPS_DIAGNOSTIC, "jeton"),
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return _suite(request, diagnostic)
    contexte = {
        "titre": "Diagnostic global partagé",
        "form": form,
        "accompagnement": accompagnement,
        "intro": (
            "Le diagnostic global partagé précède le premier contrat (référentiel des Vosges) : une fois "
            "enregistré, vous revenez à la rédaction du contrat."
            if request.GET.get("suite") == SUITE_CONTRAT
            else "La première évaluation de la situation, faite avec la personne : ce qu'elle vit dans chaque "
            "domaine, ce qu'elle en dit, ce qui freine et ce qui aide."
        ),
    }
    return render(request, "accompagnement/formulaire.html", contexte)


def _diagnostic(request, pk):
    return get_object_or_404(
        Diagnostic.objects.visibles_par(request.user).select_related(
            "accompagnement__resident", "accompagnement__modalite", "accompagnement__structure", "auteur"
        ),
        pk=pk,
    )


@require_GET
def diagnostic(request, pk):
    diagnostic = _diagnostic(request, pk)
    accompagnement = diagnostic.accompagnement
    autres = (
        Diagnostic.objects.visibles_par(request.user)
        .filter(accompagnement=accompagnement)
        .exclude(pk=diagnostic.pk)
        .select_related("auteur")
    )
    modifications = diagnostic.history.select_related("history_user").order_by("-history_date")
    contexte = {
        "diagnostic": diagnostic,
        "accompagnement": accompagnement,
        "autres": autres,
        "modifications": modifications,
        "modifiable": acces.peut_modifier(request.user, accompagnement),
    }
    return render(request, "accompagnement/diagnostic.html", contexte)


@require_http_methods(["GET", "POST"])
def diagnostic_modifier(request, pk):
    diagnostic = _diagnostic(request, pk)
    accompagnement_modifiable(request, diagnostic.accompagnement_id)
    form = ModificationDiagnosticForm(
        request.POST or None, instance=diagnostic, initial={"version": diagnostic.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.modifier_diagnostic(
                diagnostic=diagnostic,
                par=request.user,
                version=form.cleaned_data["version"],
                **donnees(form, "date", *services.CHAMPS_DIAGNOSTIC),
            )
        except ConflitDeVersion as erreur:
            reporter_erreurs(form, erreur)
            conflit(form, diagnostic)
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            messages.success(request, "Diagnostic modifié.")
            return redirect("accompagnement:diagnostic", diagnostic.pk)
    contexte = {
        "titre": f"Modifier le diagnostic du {diagnostic.date:%d/%m/%Y}",
        "form": form,
        "accompagnement": diagnostic.accompagnement,
        "retour": reverse("accompagnement:diagnostic", args=[diagnostic.pk]),
    }
    return render(request, "accompagnement/formulaire.html", contexte)


@require_GET
def diagnostic_imprimer(request, pk):
    """The PDF, for whoever reads the diagnostic (the access log records it as a printing)."""
    diagnostic = _diagnostic(request, pk)
    reponse = HttpResponse(diagnostic_pdf(diagnostic), content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="diagnostic-{diagnostic.pk}.pdf"'
    return reponse
