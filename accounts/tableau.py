"""« Aujourd'hui » on the home page: a few figures and links per role, each read from the app that owns
it, in a fixed number of queries. The counts of échéances are those of the user's « À faire » list,
computed by the same selector (echeances.selectors) over the same measures and rules."""

import datetime

from django.urls import reverse
from django.utils import timezone

from . import acces


def tableau_de_bord(user):
    """{"chiffres": [{libelle, nombre, url, urgent}], "rendez_vous": [entretiens of today]}"""
    from contrats.models import Contrat
    from echeances.choix import Etat
    from echeances.models import SignalementSanction
    from echeances.selectors import compte_a_faire

    chiffres = []
    rendez_vous = []
    if acces.a_des_echeances(user):
        compte = compte_a_faire(user)
        chiffres.append(_chiffre("échéance(s) en retard", compte[Etat.EN_RETARD], "echeances:a_faire", True))
        chiffres.append(_chiffre("échéance(s) bientôt dues", compte[Etat.BIENTOT], "echeances:a_faire"))
    if acces.voit_la_file_du_territoire(user):
        from accompagnement.selectors import compte_file_active

        mesures = compte_file_active(user, le=timezone.localdate())
        chiffres.append(
            _chiffre("mesure(s) logement en cours sur vos territoires", mesures, "accompagnement:file_active")
        )
    if acces.est_de_l_equipe(user):
        rendez_vous = _rendez_vous_du_jour(user)
        chiffres.append(_chiffre("rendez-vous aujourd'hui", len(rendez_vous), "accompagnement:rendez_vous"))
        brouillons = Contrat.objects.visibles_par(user).filter(
            accompagnement__referent=user, etat__in=[Contrat.Etat.BROUILLON, Contrat.Etat.EN_SIGNATURE]
        )
        chiffres.append(
            _chiffre("contrat(s) en rédaction ou en signature", brouillons.count(), "contrats:mes_contrats")
        )
    if acces.signe_pour_la_structure(user):
        a_signer = Contrat.objects.visibles_par(user).a_signer_par_responsable(user).count()
        chiffres.append(_chiffre("contrat(s) attendant votre signature", a_signer, "contrats:file_responsable", True))
    if acces.signe_comme_partenaire(user):
        a_signer = Contrat.objects.visibles_par(user).a_signer_par_partenaire(user).count()
        chiffres.append(_chiffre("document(s) à signer", a_signer, "contrats:partenaire_a_signer", True))
    if acces.valide_les_contrats(user):
        a_valider = Contrat.objects.a_valider_par(user).count()
        chiffres.append(_chiffre("contrat(s) à valider", a_valider, "contrats:file_delegue", True))
    if acces.decide_les_signalements(user):
        signalements = SignalementSanction.objects.visibles_par(user).filter(issue="").count()
        chiffres.append(_chiffre("signalement(s) à traiter", signalements, "echeances:signalements", True))
    return {"chiffres": chiffres, "rendez_vous": rendez_vous}


def _chiffre(libelle, nombre, url_name, urgent=False):
    return {"libelle": libelle, "nombre": nombre, "url": reverse(url_name), "urgent": urgent and nombre > 0}


def _rendez_vous_du_jour(user):
    from accompagnement.models import Entretien

    debut = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Entretien.objects.visibles_par(user)
        .rendez_vous()
        .filter(accompagnement__referent=user, date_heure__gte=debut, date_heure__lt=debut + datetime.timedelta(days=1))
        .select_related("accompagnement__resident")
        .order_by("date_heure")[:20]
    )
