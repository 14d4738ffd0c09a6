from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import Role

ACCUEIL_PAR_ROLE = {
    Role.REFERENT: "accounts/accueil_referent.html",
    Role.RESPONSABLE: "accounts/accueil_responsable.html",
    Role.DELEGUE: "accounts/accueil_delegue.html",
    Role.CONSEILLER_LOGEMENT: "accounts/accueil_conseiller.html",
    Role.PARTENAIRE: "accounts/accueil_partenaire.html",
    Role.ADMINISTRATEUR: "accounts/accueil_administrateur.html",
}


@require_GET
def accueil(request):
    """Each role lands on its own home page; its sections are filled by the apps."""
    template = ACCUEIL_PAR_ROLE.get(request.user.role, "accounts/accueil_referent.html")
    if request.user.is_superuser:
        template = ACCUEIL_PAR_ROLE[Role.ADMINISTRATEUR]
    return render(request, template, {"sections": sections_accueil(request)})


def sections_accueil(request):
    """Blocks other apps add to the home page: {title, url_name, description} per role."""
    from .navigation import sections_pour

    return sections_pour(request.user)


@login_not_required
@require_GET
def sante(request):
    """Health check for the load balancer and docker-compose: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"statut": "ok"})


@login_not_required
def page_introuvable(request, exception=None):
    return render(request, "404.html", status=404)


@login_not_required
def erreur_serveur(request):
    return render(request, "500.html", status=500)


@login_not_required
def acces_refuse(request, exception=None):
    return render(request, "403.html", status=403)
