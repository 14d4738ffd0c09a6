"""Retention: anonymised after CONSERVATION_DOSSIER without contact (2 years − 1 day kept, + 1 day gone)."""

import datetime
from pathlib import Path

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Entretien
from admissions.models import (
    Candidature,
    FinDePriseEnCharge,
    Logement,
    PassageRelais,
    ReunionCoordination,
    Synthese,
)
from echeances.models import PieceSignalement, SignalementSanction
from pilotage.models import ComiteSuivi, DecisionComite
from referentiel.models import Structure
from residents import retention
from residents.models import Resident
from tests.accompagnement.factories import (
    AccompagnementFactory,
    CoReferentFactory,
    EntretienFactory,
    ObjectifFactory,
)
from tests.accounts.factories import DelegueFactory, ReferentFactory, ResponsableFactory
from tests.referentiel.factories import ContactPartenaireFactory, StructureFactory
from tests.residents.factories import ConsentementFactory

LE = datetime.date(2030, 6, 15)


def mesure_fin(mesure):
    return timezone.make_aware(datetime.datetime.combine(mesure.date_fin, datetime.time(9)))


def mesure_terminee(dernier_contact):
    mesure = AccompagnementFactory(
        date_debut=dernier_contact - datetime.timedelta(days=100), date_fin=dernier_contact, motif_fin="AUTRE"
    )
    mesure.resident.date_creation = timezone.make_aware(datetime.datetime(2020, 1, 1))
    mesure.resident.telephone = "06 00 00 00 00"
    mesure.resident.save()
    EntretienFactory(
        accompagnement=mesure,
        date_heure=timezone.make_aware(datetime.datetime.combine(dernier_contact, datetime.time(10))),
        notes="Ce que la personne a confié",
    )
    return mesure


@pytest.mark.parametrize(
    ("ecart", "anonymise"), [(relativedelta(years=2, days=-1), False), (relativedelta(years=2, days=1), True)]
)
def test_anonymisation_a_deux_ans(ecart, anonymise):
    """On the report the day after the 2 years, anonymised by the job once the préavis is over (and not a
    day before): 2 years − 1 day is neither reported nor anonymised, even at the end of the préavis."""
    mesure = mesure_terminee(LE - ecart)
    assert [r.pk for r in retention.candidats(le=LE)] == ([mesure.resident_id] if anonymise else [])
    assert retention.appliquer(le=LE) == []
    assert retention.appliquer(le=LE + retention.preavis() - datetime.timedelta(days=1)) == []
    assert Resident.objects.get(pk=mesure.resident_id).anonymise_le is None
    retention.appliquer(le=LE + retention.preavis())
    resident = Resident.objects.get(pk=mesure.resident_id)
    entretien = Entretien.objects.get(accompagnement=mesure)
    if anonymise:
        assert (
            resident.nom == "Anonyme" and resident.telephone == "" and resident.anonymise_le == LE + retention.preavis()
        )
        assert entretien.notes == ""
        # history tables too
        assert not Resident.history.filter(id=resident.pk, telephone="06 00 00 00 00").exists()
        assert not Entretien.history.filter(id=entretien.pk).exclude(notes="").exists()
    else:
        assert resident.nom != "Anonyme" and entretien.notes == "Ce que la personne a confié"
    # idempotent
    assert retention.appliquer(le=LE + retention.preavis()) == []


def test_un_dossier_clos_il_y_a_des_annees_est_d_abord_liste_pendant_tout_le_preavis():
    """Its retention ended long ago (a measure closed with an old date): the préavis runs from the day
    the job first finds it, not from the end of the retention."""
    mesure = mesure_terminee(LE - relativedelta(years=5))
    [candidat] = retention.candidats(le=LE)
    assert candidat.anonymisable_le == LE - datetime.timedelta(days=1) + retention.preavis()
    assert retention.appliquer(le=LE) == []
    assert Resident.objects.get(pk=mesure.resident_id).signale_le == LE
    # The report read on any later day announces the same date, and the job keeps to it.
    [candidat] = retention.candidats(le=LE + datetime.timedelta(days=10))
    assert candidat.anonymisable_le == LE - datetime.timedelta(days=1) + retention.preavis()
    assert retention.appliquer(le=LE + retention.preavis() - datetime.timedelta(days=1)) == []
    assert retention.appliquer(le=LE + retention.preavis()) == [mesure.resident_id]


def test_un_dossier_qui_reprend_vie_recommence_son_preavis_la_fois_suivante():
    mesure = mesure_terminee(LE - relativedelta(years=5))
    assert retention.appliquer(le=LE) == []
    # A new measure opens: the file is no longer past its retention, and forgets the day it was found.
    nouvelle = AccompagnementFactory(resident=mesure.resident, date_debut=LE, date_fin=None)
    assert retention.appliquer(le=LE + datetime.timedelta(days=1)) == []
    assert Resident.objects.get(pk=mesure.resident_id).signale_le is None
    # It closes the same day, backdated: found again later, a whole préavis again from then.
    nouvelle.date_fin, nouvelle.date_debut, nouvelle.motif_fin = (
        LE - relativedelta(years=4),
        LE - relativedelta(years=4, months=1),
        "AUTRE",
    )
    nouvelle.save()
    plus_tard = LE + datetime.timedelta(days=20)
    assert retention.appliquer(le=plus_tard) == []
    assert retention.appliquer(le=LE + retention.preavis()) == []  # the first notice would have ended here
    assert retention.appliquer(le=plus_tard + retention.preavis()) == [mesure.resident_id]


def test_le_preavis_est_un_reglage(settings):
    mesure = mesure_terminee(LE - relativedelta(years=2, days=1))
    settings.CONSERVATION_PREAVIS_JOURS = 0
    assert retention.appliquer(le=LE) == [mesure.resident_id]


def test_le_rapport_annonce_la_date_d_anonymisation(client):
    mesure = mesure_terminee(LE - relativedelta(years=2, days=1))
    [candidat] = retention.candidats(le=LE)
    assert candidat.fin_conservation == LE - datetime.timedelta(days=1)
    assert candidat.anonymisable_le == candidat.fin_conservation + retention.preavis()
    with time_machine.travel(datetime.datetime(2030, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        client.force_login(ResponsableFactory(structures=[mesure.structure]))
        html = client.get(reverse("residents:retention")).content.decode()
    assert str(mesure.resident) in html and f"{candidat.anonymisable_le:%d/%m/%Y}" in html


def test_l_anonymisation_efface_les_textes_des_autres_applications(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    """Admissions, consents, objectives, committees, reports: live rows, history rows and uploaded files."""
    settings.MEDIA_ROOT = tmp_path
    mesure = mesure_terminee(LE - relativedelta(years=3))
    resident, referent = mesure.resident, mesure.referent
    contact = ContactPartenaireFactory()
    candidature = Candidature.objects.create(
        residence=StructureFactory(type=Structure.Type.FJT),
        resident=resident,
        tiers=contact.tiers,
        contact_educatif=contact,
        note_sociale="Histoire familiale confiée.",
        note_sociale_pdf=ContentFile(b"%PDF-1.4 note", name="note.pdf"),
        difficultes="Addiction.",
        decision="REFUSEE",
        motif_decision="Motif détaillé du refus.",
        cree_par=referent,
    )
    chemin = tmp_path / candidature.note_sociale_pdf.name
    assert chemin.exists()
    candidature.parcours = "Parcours en foyer."
    candidature.save()  # a second history row
    objets = [
        candidature,
        ConsentementFactory(resident=resident, tiers=contact.tiers, finalite="Suivi de la dette de loyer"),
        ObjectifFactory(accompagnement=mesure, libelle="Soigner son addiction"),
        Synthese.objects.create(
            accompagnement=mesure, contact=contact, date_prevue=LE, tenue_le=LE, bilan="Rechute.", auteur=referent
        ),
        ReunionCoordination.objects.create(
            accompagnement=mesure, date=LE, decisions="Orientation en cure.", auteur=referent
        ),
        Logement.objects.create(accompagnement=mesure, mode="SOUS_LOCATION", adresse="3 rue des Lilas", date_debut=LE),
        FinDePriseEnCharge.objects.create(
            accompagnement=mesure,
            motif="REFUS",
            explications="Violences envers un résident.",
            decidee_le=LE,
            date_effet=LE,
            tiers_informe_le=LE,
            decidee_par=referent,
        ),
        PassageRelais.objects.create(
            accompagnement=mesure,
            repreneur="CSAPA, Dr Martin",
            elements_transmis="Suivi médical.",
            accord_personne=True,
            date_relais=LE,
            auteur=referent,
        ),
        DecisionComite.objects.create(
            comite=ComiteSuivi.objects.create(
                type="TRIMESTRIEL_RSA",
                date=LE,
                referent=referent,
                territoire=mesure.structure.territoire,
                president=DelegueFactory(),
            ),
            accompagnement=mesure,
            decision="POURSUITE",
            commentaire="Soins en cours.",
        ),
        SignalementSanction.objects.create(
            accompagnement=mesure,
            derniere_absence=EntretienFactory(
                accompagnement=mesure, statut="ABSENT_NON_EXCUSE", date_heure=mesure_fin(mesure)
            ),
            motif="Absent pour hospitalisation.",
            auteur=referent,
            observations="Rechute, puis soins.",
        ),
    ]
    piece = PieceSignalement(
        signalement=objets[-1], nom="hospitalisation.pdf", type_mime="application/pdf", taille=9, ajoutee_par=referent
    )
    piece.fichier.save("hospitalisation.pdf", ContentFile(b"%PDF-1.4\n"))
    objets.append(piece)
    chemin_piece = Path(piece.fichier.path)
    secrets = [
        "Histoire familiale",
        "Addiction.",
        "Motif détaillé",
        "Parcours en foyer",
        "dette de loyer",
        "Soigner",
        "Rechute",
        "Orientation en cure",
        "rue des Lilas",
        "Violences",
        "Dr Martin",
        "Suivi médical",
        "Soins en cours",
        "hospitalisation",
    ]
    assert retention.appliquer(le=LE) == []  # listed on the report first, for the whole préavis
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.appliquer(le=LE + retention.preavis()) == [resident.pk]
    for objet in objets:
        for ligne in [type(objet).objects.get(pk=objet.pk), *type(objet).history.filter(id=objet.pk)]:
            texte = " ".join(str(getattr(ligne, f.attname)) for f in type(objet)._meta.concrete_fields)
            assert not [s for s in secrets if s in texte], (type(objet).__name__, texte)
    candidature.refresh_from_db()
    assert not candidature.note_sociale_pdf and not chemin.exists()
    assert not chemin_piece.exists()


def test_une_mesure_ouverte_n_est_jamais_anonymisee():
    mesure = mesure_terminee(LE - relativedelta(years=3))
    mesure.date_fin = None
    mesure.motif_fin = ""
    mesure.save()
    assert retention.candidats(le=LE) == []


def test_archiver_avec_motif_retire_des_listes_et_du_traitement(client):
    mesure = mesure_terminee(LE - relativedelta(years=3))
    responsable = ResponsableFactory(structures=[mesure.structure])
    with time_machine.travel(datetime.datetime(2030, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        client.force_login(responsable)
        html = client.get(reverse("residents:retention")).content.decode()
        assert str(mesure.resident) in html
        assert client.post(reverse("residents:archiver", args=[mesure.resident_id]), {"motif": ""}).status_code == 302
        assert Resident.objects.get(pk=mesure.resident_id).archive_le is None
        client.post(reverse("residents:archiver", args=[mesure.resident_id]), {"motif": "contentieux en cours"})
        resident = Resident.objects.get(pk=mesure.resident_id)
        assert resident.archive_le is not None and resident.motif_archivage == "contentieux en cours"
        archivage = resident.history.latest()
        assert (archivage.history_user, archivage.history_change_reason) == (responsable, "archivage")
        assert not Resident.objects.visibles_par(mesure.referent).filter(pk=resident.pk).exists()
        assert retention.appliquer() == []
        client.force_login(mesure.referent)
        assert client.get(reverse("residents:droits", args=[resident.pk])).status_code == 404


def test_le_rapport_est_reserve_au_responsable(client):
    mesure = mesure_terminee(LE - relativedelta(years=3))
    client.force_login(mesure.referent)
    assert client.get(reverse("residents:retention")).status_code == 404
    with time_machine.travel(datetime.datetime(2030, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        client.force_login(ResponsableFactory())
        assert str(mesure.resident) not in client.get(reverse("residents:retention")).content.decode()


def test_un_responsable_co_referent_n_archive_pas_le_dossier_d_une_autre_structure(client):
    """Seeing the file as co-referent does not make its manager: the report and the archiving stay with the
    manager of the person's own structure."""
    mesure = mesure_terminee(LE - relativedelta(years=3))
    ailleurs = ResponsableFactory()
    # Co-referent until the end of the measure; still sees the file through the open co-reference record.
    CoReferentFactory(accompagnement=mesure, user=ailleurs)
    assert Resident.objects.visibles_par(ailleurs).filter(pk=mesure.resident_id).exists()
    with time_machine.travel(datetime.datetime(2030, 6, 15, 12, tzinfo=datetime.UTC), tick=False):
        client.force_login(ailleurs)
        assert str(mesure.resident) not in client.get(reverse("residents:retention")).content.decode()
        reponse = client.post(reverse("residents:archiver", args=[mesure.resident_id]), {"motif": "à garder"})
        assert reponse.status_code == 403
    assert Resident.objects.get(pk=mesure.resident_id).archive_le is None
    with pytest.raises(PermissionDenied):
        retention.archiver(resident=mesure.resident, par=ReferentFactory(structures=[mesure.structure]), motif="x")
