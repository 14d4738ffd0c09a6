"""The import of the Département's file of new RSA beneficiaries: deposit, columns, preview, progress,
report. Every import is fetched through ImportAllocataires.objects.visibles_par (another territory: 404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accompagnement.views_communs import reporter_erreurs
from accounts import acces

from . import imports, services_import
from .forms_import import ColonnesForm, DepotForm
from .models import ImportAllocataires

E = ImportAllocataires.Etat
PAR_PAGE = 100
FILTRES = {
    "": "toutes les lignes",
    "problemes": "doublons probables et erreurs",
    **services_import.LIBELLES,
}


def _exiger_import(user):
    if not acces.importe_des_allocataires(user):
        raise PermissionDenied("L'import des allocataires du RSA est réservé au délégué insertion.")


# The preview and the report: JSON of up to 50,000 lines, read only by the page that shows them (not by the
# progress polled every second, nor by the actions that redirect).
LOURDS = ("apercu", "compte_rendu")


def _import(request, pk, *, leger=False):
    qs = ImportAllocataires.objects.visibles_par(request.user).select_related("structure", "par")
    return get_object_or_404(qs.defer(*LOURDS) if leger else qs, pk=pk)


@require_http_methods(["GET", "POST"])
def imports_allocataires(request):
    _exiger_import(request.user)
    form = DepotForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            import_ = services_import.deposer(
                par=request.user,
                structure=form.cleaned_data["structure"],
                fichier=form.cleaned_data["fichier"],
                jeton=form.cleaned_data["jeton"],
            )
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return redirect("residents:import", import_.pk)
    recents = (
        ImportAllocataires.objects.visibles_par(request.user).select_related("structure", "par").defer(*LOURDS)[:30]
    )
    return render(request, "residents/import/liste.html", {"form": form, "imports": recents})


def _lignes(import_, filtre):
    if import_.etat == E.TERMINE:
        lignes = import_.compte_rendu
    else:
        lignes = [services_import.au_compte_rendu(entree) for entree in import_.apercu]
    if filtre == "problemes":
        return [ligne for ligne in lignes if ligne["statut"] in ("DOUBLON", "ERREUR")]
    if filtre in services_import.LIBELLES:
        return [ligne for ligne in lignes if ligne["statut"] == filtre]
    return lignes


@require_GET
def import_allocataires(request, pk):
    return _page(request, _import(request, pk))


def _page(request, import_, form=None):
    """The import's page for its state: the mapping, the progress, the preview, or the report."""
    contexte = {
        "import": import_,
        "libelles": services_import.LIBELLES,
        "champs": imports.CHAMPS,
        "voit_les_dossiers": acces.lit_les_dossiers(request.user),
    }
    if import_.etat == E.COLONNES:
        contexte["form"] = form or ColonnesForm(
            entetes=import_.entetes,
            exemple=import_.exemple,
            proposition=services_import.proposition(import_, request.user),
        )
    elif import_.etat in (E.APERCU, E.TERMINE):
        filtre = request.GET.get("statut", "")
        filtre = filtre if filtre in FILTRES else ""
        contexte["page"] = Paginator(_lignes(import_, filtre), PAR_PAGE).get_page(request.GET.get("page"))
        contexte["filtres"] = FILTRES
        contexte["filtre"] = filtre
        # The same file (SHA-256) already imported: say so (its lines will be « inchangé »).
        contexte["deja_importe"] = (
            ImportAllocataires.objects.visibles_par(request.user)
            .filter(empreinte=import_.empreinte, etat=E.TERMINE, termine_le__lt=import_.termine_le or timezone.now())
            .exclude(pk=import_.pk)
            .order_by("-termine_le")
            .first()
        )
    return render(request, "residents/import/import.html", contexte)


@require_POST
def import_colonnes(request, pk):
    import_ = _import(request, pk)
    form = ColonnesForm(request.POST, entetes=import_.entetes, exemple=import_.exemple)
    if form.is_valid():
        try:
            services_import.choisir_colonnes(import_=import_, par=request.user, correspondance=form.correspondance())
        except ValidationError as erreur:
            reporter_erreurs(form, erreur)
        else:
            return redirect("residents:import", import_.pk)
    return _page(request, import_, form=form)


@require_POST
def import_confirmer(request, pk):
    import_ = _import(request, pk, leger=True)
    if services_import.confirmer(import_=import_, par=request.user):
        messages.info(request, "Import confirmé : il est en cours, suivez sa progression ci-dessous.")
    else:  # a second submit, or the import moved on meanwhile: say so rather than a silent reload
        messages.warning(request, "Cet import est déjà confirmé ou n'attend plus de confirmation.")
    return redirect("residents:import", import_.pk)


@require_POST
def import_abandonner(request, pk):
    import_ = _import(request, pk, leger=True)
    try:
        services_import.abandonner(import_=import_, par=request.user)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.info(request, "Import abandonné : rien n'a été enregistré, le fichier est supprimé.")
    return redirect("residents:imports")


@require_GET
def import_etat(request, pk):
    """The progress alone, polled by htmx every second; once the work is done, the whole page is loaded
    again (preview or report)."""
    import_ = _import(request, pk, leger=True)
    if not import_.en_travail and request.htmx:
        reponse = HttpResponse(status=204)
        reponse["HX-Refresh"] = "true"
        return reponse
    return render(request, "residents/import/includes/progression.html", {"import": import_})
