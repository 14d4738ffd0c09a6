"""/api/v1/: token-only (no session, no login page: LoginRequiredMiddleware lets these through and the
token authentication answers 401). The schema and its page are public: they describe, they hold no data."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import imports, views

app_name = "api"


def _vue(classe, **kwargs):
    return login_not_required(classe.as_view(**kwargs))


urlpatterns = [
    path("personnes/", _vue(views.PersonnesView), name="personnes"),
    path("personnes/<int:pk>/", _vue(views.PersonneView), name="personne"),
    path("personnes/<int:pk>/orientations/", _vue(views.OrientationView), name="orientation"),
    path("imports/", _vue(imports.ImportsView), name="imports"),
    path("imports/<int:pk>/", _vue(imports.ImportView), name="import"),
    path("imports/<int:pk>/confirmation/", _vue(imports.ConfirmationImportView), name="import_confirmation"),
    path("mesures/", _vue(views.MesuresView), name="mesures"),
    path("mesures/<int:pk>/", _vue(views.MesureView), name="mesure"),
    path("echeances/", _vue(views.EcheancesView), name="echeances"),
    path("entretiens/", _vue(views.EntretiensView), name="entretiens"),
    path("entretiens/<int:pk>/", _vue(views.EntretienView), name="entretien"),
    path("contrats/", _vue(views.ContratsView), name="contrats"),
    path("contrats/<int:pk>/", _vue(views.ContratView), name="contrat"),
    path("contrats/<int:pk>/versions/<int:numero>.pdf", _vue(views.ContratPDFView), name="contrat_pdf"),
    path("comites/decisions/", _vue(views.DecisionsComiteView), name="decisions_comite"),
    path("comites/decisions/<int:pk>/", _vue(views.DecisionComiteView), name="decision_comite"),
    path("referentiel/", _vue(views.ReferentielView), name="referentiel"),
    path(
        "schema/",
        _vue(SpectacularAPIView, authentication_classes=[], permission_classes=[], throttle_classes=[]),
        name="schema",
    ),
    path(
        "documentation/",
        _vue(
            SpectacularSwaggerSplitView,
            url_name="api:schema",
            template_name="api/swagger.html",
            authentication_classes=[],
            permission_classes=[],
            throttle_classes=[],
        ),
        name="documentation",
    ),
]
