import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accompagnement import services
from accompagnement.models import Accompagnement, Entretien, Participation, TypeEntretien
from accompagnement.verrou import ConflitDeVersion
from accounts import acces
from admissions.models import FinDePriseEnCharge
from referentiel.models import Modalite
from tests.accompagnement.factories import (
    AccompagnementFactory,
    CoReferentFactory,
    EntretienFactory,
    ObjectifFactory,
)
from tests.accounts.factories import DelegueFactory, ReferentFactory
from tests.concurrence import course
from tests.referentiel.factories import ContactPartenaireFactory, modalite
from tests.residents.factories import ResidentFactory


def il_y_a(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


def dans(**kwargs):
    return timezone.now() + datetime.timedelta(**kwargs)


class TestEnregistrerEntretien:
    def test_un_appel_est_un_contact_non_physique(self, mesure, referent):
        entretien, cree = services.enregistrer_entretien(
            accompagnement=mesure, par=referent, type=TypeEntretien.TELEPHONE, date_heure=il_y_a(minutes=5)
        )
        entretien.refresh_from_db()
        assert cree and entretien.statut == Entretien.Statut.HONORE and entretien.physique is False

    def test_une_visite_a_domicile_est_physique(self, mesure, referent):
        entretien, _ = services.enregistrer_entretien(accompagnement=mesure, par=referent, type=TypeEntretien.VAD)
        entretien.refresh_from_db()
        assert entretien.physique is True

    def test_un_entretien_futur_ne_peut_etre_honore(self, mesure, referent):
        with pytest.raises(ValidationError) as erreur:
            services.enregistrer_entretien(
                accompagnement=mesure, par=referent, type=TypeEntretien.BUREAU, date_heure=dans(hours=2)
            )
        assert "à venir" in str(erreur.value)
        assert not Entretien.objects.exists()

    def test_le_meme_jeton_ne_cree_qu_un_entretien(self, mesure, referent):
        jeton = uuid.uuid4()
        premier, cree1 = services.enregistrer_entretien(
            accompagnement=mesure, par=referent, type=TypeEntretien.TELEPHONE, jeton=jeton
        )
        second, cree2 = services.enregistrer_entretien(
            accompagnement=mesure, par=referent, type=TypeEntretien.TELEPHONE, jeton=jeton
        )
        assert (cree1, cree2) == (True, False)
        assert premier.pk == second.pk and Entretien.objects.count() == 1

    def test_une_duree_de_plus_de_24_heures_refusee_en_francais(self, mesure, referent):
        """The model's constraint is still checked before the save (a message, not an IntegrityError)."""
        with pytest.raises(ValidationError, match="ne peut dépasser 24 heures"):
            services.enregistrer_entretien(
                accompagnement=mesure, par=referent, type=TypeEntretien.TELEPHONE, duree_minutes=24 * 60 + 1
            )
        assert not Entretien.objects.exists()

    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_le_meme_jeton_en_course_ne_cree_qu_un_entretien(self):
        """Two submits racing (two connections): the second passes the look-up before the first commits,
        waits on the unique jeton, then gets the first entretien back (accompagnement.jeton)."""
        mesure = AccompagnementFactory()
        jeton = uuid.uuid4()

        def envoyer():
            return services.enregistrer_entretien(
                accompagnement=mesure, par=mesure.referent, type=TypeEntretien.TELEPHONE, jeton=jeton
            )

        (premier, cree1), (second, cree2) = course(envoyer, envoyer)
        assert (cree1, cree2) == (True, False)
        assert second.pk == premier.pk and Entretien.objects.count() == 1

    def test_avant_le_debut_de_la_mesure_refuse(self, mesure, referent):
        avant = timezone.make_aware(datetime.datetime.combine(mesure.date_debut, datetime.time(10)))
        with pytest.raises(ValidationError, match="antérieure au début"):
            services.enregistrer_entretien(
                accompagnement=mesure,
                par=referent,
                type=TypeEntretien.BUREAU,
                date_heure=avant - datetime.timedelta(days=1),
            )

    def test_objectif_d_une_autre_mesure_refuse(self, mesure, referent):
        autre = ObjectifFactory()
        with pytest.raises(ValidationError, match="n'appartient pas"):
            services.enregistrer_entretien(
                accompagnement=mesure, par=referent, type=TypeEntretien.BUREAU, objectifs=[autre]
            )
        assert not Entretien.objects.exists()

    def test_participants_partenaires_objectifs_enregistres(self, mesure, referent, collegue):
        objectif = ObjectifFactory(accompagnement=mesure)
        contact = ContactPartenaireFactory()
        entretien, _ = services.enregistrer_entretien(
            accompagnement=mesure,
            par=referent,
            type=TypeEntretien.TRIPARTITE,
            participants=[collegue],
            partenaires=[contact],
            objectifs=[objectif],
            notes="Point d'étape",
            confidentiel=True,
        )
        assert list(entretien.participants.all()) == [collegue]
        assert list(entretien.partenaires.all()) == [contact]
        assert list(entretien.objectifs.all()) == [objectif]
        assert entretien.confidentiel

    def test_un_etranger_ne_peut_pas_ecrire(self, mesure, etranger):
        with pytest.raises(PermissionDenied):
            services.enregistrer_entretien(accompagnement=mesure, par=etranger, type=TypeEntretien.BUREAU)

    def test_un_collegue_peut_noter_un_contact(self, mesure, collegue):
        entretien, _ = services.enregistrer_entretien(accompagnement=mesure, par=collegue, type=TypeEntretien.VISIO)
        assert entretien.auteur == collegue


class TestRendezVous:
    def test_planifier_dans_le_passe_refuse(self, mesure, referent):
        with pytest.raises(ValidationError, match="à venir"):
            services.planifier_rendez_vous(
                accompagnement=mesure, par=referent, type=TypeEntretien.BUREAU, date_heure=il_y_a(hours=1)
            )

    def test_un_rendez_vous_futur_ne_peut_etre_marque_honore(self, mesure, referent):
        rdv, _ = services.planifier_rendez_vous(
            accompagnement=mesure, par=referent, type=TypeEntretien.BUREAU, date_heure=dans(days=1)
        )
        with pytest.raises(ValidationError, match="pas encore eu lieu"):
            services.cloturer_rendez_vous(entretien=rdv, par=referent, statut="HONORE", version=rdv.version)
        rdv.refresh_from_db()
        assert rdv.statut == Entretien.Statut.PLANIFIE

    def test_un_rendez_vous_passe_devient_absence(self, mesure, referent):
        rdv = EntretienFactory(accompagnement=mesure, statut="PLANIFIE", date_heure=il_y_a(hours=1))
        services.cloturer_rendez_vous(
            entretien=rdv, par=referent, statut=Entretien.Statut.ABSENT_NON_EXCUSE, version=rdv.version
        )
        rdv.refresh_from_db()
        assert rdv.statut == Entretien.Statut.ABSENT_NON_EXCUSE and rdv.version == 2

    def test_un_rendez_vous_futur_peut_etre_annule(self, mesure, referent):
        rdv = EntretienFactory(accompagnement=mesure, statut="PLANIFIE", date_heure=dans(days=2))
        services.cloturer_rendez_vous(entretien=rdv, par=referent, statut="ANNULE", version=rdv.version)
        rdv.refresh_from_db()
        assert rdv.statut == "ANNULE"

    def test_cloture_concurrente_refusee(self, mesure, referent, collegue):
        rdv = EntretienFactory(accompagnement=mesure, statut="PLANIFIE", date_heure=il_y_a(hours=1))
        services.cloturer_rendez_vous(entretien=rdv, par=collegue, statut="HONORE", version=1)
        with pytest.raises(ConflitDeVersion):
            services.cloturer_rendez_vous(entretien=rdv, par=referent, statut="ABSENT_EXCUSE", version=1)
        rdv.refresh_from_db()
        assert rdv.statut == "HONORE"

    def test_un_rendez_vous_apres_la_fin_de_la_mesure_ne_peut_qu_etre_annule(self, mesure, referent):
        rdv = EntretienFactory(accompagnement=mesure, statut="PLANIFIE", date_heure=il_y_a(hours=1))
        Accompagnement.objects.filter(pk=mesure.pk).update(
            date_fin=timezone.localdate() - datetime.timedelta(days=2), motif_fin="DEMENAGEMENT"
        )
        with pytest.raises(ValidationError, match="ne peut qu'être annulé"):
            services.cloturer_rendez_vous(entretien=rdv, par=referent, statut="HONORE", version=rdv.version)
        rdv.refresh_from_db()
        assert rdv.statut == "PLANIFIE"
        services.cloturer_rendez_vous(entretien=rdv, par=referent, statut="ANNULE", version=rdv.version)
        rdv.refresh_from_db()
        assert rdv.statut == "ANNULE"


class TestActionCollective:
    def test_six_participants_six_participations(self, referent, structure):
        personnes = ResidentFactory.create_batch(6, structure=structure)
        action, cree = services.creer_action_collective(
            par=referent,
            structure=structure,
            theme="Budget",
            date_heure=il_y_a(hours=2),
            residents=personnes,
            jeton=uuid.uuid4(),
        )
        assert cree and Participation.objects.filter(action=action).count() == 6
        assert list(action.animateurs.all()) == [referent]

    def test_une_personne_invisible_est_refusee(self, referent, structure):
        autre = ResidentFactory()
        with pytest.raises(ValidationError, match="ne fait pas partie"):
            services.creer_action_collective(
                par=referent,
                structure=structure,
                theme="Budget",
                date_heure=il_y_a(hours=2),
                residents=[ResidentFactory(structure=structure), autre],
            )
        assert not Participation.objects.exists()

    def test_double_envoi_un_seul_atelier(self, referent, structure):
        jeton = uuid.uuid4()
        personnes = [ResidentFactory(structure=structure)]
        kwargs = {"par": referent, "structure": structure, "theme": "T", "date_heure": il_y_a(hours=1), "jeton": jeton}
        a1, _ = services.creer_action_collective(residents=personnes, **kwargs)
        a2, cree = services.creer_action_collective(residents=personnes, **kwargs)
        assert a1.pk == a2.pk and not cree


class TestOrientationEtSortie:
    @pytest.fixture
    def delegue(self, mesure):
        """An RSA measure is re-oriented by the délégué insertion of its territory (accompagnement.orientations)."""
        return DelegueFactory(territoires=[mesure.structure.territoire])

    def test_le_referent_ne_reoriente_pas_seul_une_mesure_rsa(self, mesure, referent):
        with pytest.raises(PermissionDenied):
            services.reorienter(
                accompagnement=mesure, par=referent, modalite=modalite(Modalite.Code.RSA_MOBILISATION),
                date=mesure.date_debut + datetime.timedelta(days=3), version=mesure.version,
            )  # fmt: skip
        mesure.refresh_from_db()
        assert mesure.date_fin is None

    def test_reorientation_ferme_et_ouvre_sans_perte(self, mesure, referent, delegue):
        entretien = EntretienFactory(accompagnement=mesure)
        date = mesure.date_debut + datetime.timedelta(days=40)
        suivante = services.reorienter(
            accompagnement=mesure,
            par=delegue,
            modalite=modalite(Modalite.Code.RSA_MOBILISATION),
            date=date,
            version=mesure.version,
        )
        mesure.refresh_from_db()
        assert mesure.date_fin == date - datetime.timedelta(days=1)
        assert mesure.motif_fin == Accompagnement.MotifFin.REORIENTATION
        assert suivante.precedent == mesure and suivante.date_debut == date
        assert entretien.accompagnement_id == mesure.pk and mesure.entretiens.count() == 1

    def test_reorientation_deplace_les_rendez_vous_a_venir_et_les_objectifs_en_cours(self, mesure, referent, delegue):
        date = timezone.localdate()
        passe = EntretienFactory(accompagnement=mesure, statut="PLANIFIE", date_heure=il_y_a(days=1))
        a_venir = EntretienFactory(accompagnement=mesure, statut="PLANIFIE", date_heure=dans(days=3))
        en_cours = ObjectifFactory(accompagnement=mesure)
        atteint = ObjectifFactory(accompagnement=mesure, etat="ATTEINT")
        suivante = services.reorienter(
            accompagnement=mesure,
            par=delegue,
            modalite=modalite(Modalite.Code.RSA_MOBILISATION),
            date=date,
            version=mesure.version,
        )
        for objet in (passe, a_venir, en_cours, atteint):
            objet.refresh_from_db()
        assert a_venir.accompagnement == suivante and en_cours.accompagnement == suivante
        assert passe.accompagnement == mesure and atteint.accompagnement == mesure
        # The move is in the history: the earlier version still names the closed measure.
        assert a_venir.history.order_by("history_date").first().accompagnement_id == mesure.pk
        assert en_cours.history.order_by("history_date").first().accompagnement_id == mesure.pk
        # The moved rendez-vous, once its time has come, is a contact of the new measure.
        Entretien.objects.filter(pk=a_venir.pk).update(date_heure=il_y_a(minutes=5))
        services.cloturer_rendez_vous(entretien=a_venir, par=referent, statut="HONORE", version=a_venir.version)
        assert suivante.entretiens.contacts().count() == 1

    def test_reorientation_garde_les_co_referents_en_place(self, mesure, referent, delegue):
        date = timezone.localdate()
        collegue = ReferentFactory(structures=[mesure.structure])
        equipe = CoReferentFactory(accompagnement=mesure, user=collegue, date_debut=date - datetime.timedelta(days=9))
        contact = ContactPartenaireFactory()
        partenaire = CoReferentFactory(
            accompagnement=mesure, contact=contact, date_debut=date - datetime.timedelta(days=9)
        )
        retire = CoReferentFactory(
            accompagnement=mesure,
            user=ReferentFactory(structures=[mesure.structure]),
            date_debut=date - datetime.timedelta(days=9),
            date_fin=date - datetime.timedelta(days=2),
        )
        suivante = services.reorienter(
            accompagnement=mesure, par=delegue, modalite=modalite(Modalite.Code.RSA_MOBILISATION),
            date=date, version=mesure.version,
        )  # fmt: skip
        en_place = {(c.user_id, c.contact_id, c.date_debut) for c in suivante.coreferents.en_cours()}
        assert en_place == {(collegue.pk, None, date), (None, contact.pk, date)}
        for c in (equipe, partenaire, retire):
            c.refresh_from_db()
        assert equipe.date_fin == date and partenaire.date_fin == date  # kept on the closed measure
        assert retire.date_fin == date - datetime.timedelta(days=2) and not suivante.coreferents.filter(
            user=retire.user
        )

    def test_reorientation_vers_le_co_referent_comme_referent(self, mesure, referent, delegue):
        date = timezone.localdate()
        collegue = ReferentFactory(structures=[mesure.structure])
        CoReferentFactory(accompagnement=mesure, user=collegue, date_debut=date - datetime.timedelta(days=9))
        suivante = services.reorienter(
            accompagnement=mesure, par=delegue, modalite=modalite(Modalite.Code.RSA_MOBILISATION),
            date=date, version=mesure.version, referent=collegue,
        )  # fmt: skip
        assert suivante.referent == collegue and not suivante.coreferents.exists()

    def test_reorientation_vers_france_travail_ferme_la_mesure_et_note_l_orientation(self, mesure, referent, delegue):
        date = timezone.localdate()
        rdv = EntretienFactory(accompagnement=mesure, statut="PLANIFIE", date_heure=dans(days=3))
        partenaire = CoReferentFactory(
            accompagnement=mesure, contact=ContactPartenaireFactory(), date_debut=date - datetime.timedelta(days=9)
        )
        suivante = services.reorienter(
            accompagnement=mesure, par=delegue, modalite=modalite(Modalite.Code.RSA_EMPLOI),
            date=date, version=mesure.version,
        )  # fmt: skip
        assert suivante is None
        mesure.refresh_from_db()
        assert mesure.date_fin == date - datetime.timedelta(days=1)
        assert mesure.motif_fin == Accompagnement.MotifFin.REORIENTATION and "RSA – emploi" in mesure.relais
        assert Accompagnement.objects.filter(resident_id=mesure.resident_id).count() == 1
        rdv.refresh_from_db()
        partenaire.refresh_from_db()
        assert rdv.statut == "ANNULE" and partenaire.date_fin == date

    def test_orientation_hors_champ_refusee(self, referent):
        mesure = AccompagnementFactory(referent=referent, modalite=modalite(Modalite.Code.ASLL))
        with pytest.raises(ValidationError, match="même champ"):
            services.reorienter(
                accompagnement=mesure, par=referent, modalite=modalite(Modalite.Code.RSA_EMPLOI),
                date=mesure.date_debut + datetime.timedelta(days=3), version=mesure.version,
            )  # fmt: skip
        mesure.refresh_from_db()
        assert mesure.date_fin is None

    def test_reorientation_vers_la_meme_modalite_refusee(self, mesure, referent, delegue):
        with pytest.raises(ValidationError, match="autre modalité"):
            services.reorienter(
                accompagnement=mesure,
                par=delegue,
                modalite=mesure.modalite,
                date=mesure.date_debut + datetime.timedelta(days=3),
                version=mesure.version,
            )
        assert Accompagnement.objects.count() == 1

    def test_fin_avant_debut_refusee(self, mesure, referent, delegue):
        with pytest.raises(ValidationError, match="ne peut pas précéder"):
            services.terminer_accompagnement(
                accompagnement=mesure,
                par=referent,
                date_fin=mesure.date_debut - datetime.timedelta(days=1),
                motif_fin="OBJECTIFS_ATTEINTS",
                version=mesure.version,
            )
        mesure.refresh_from_db()
        assert mesure.date_fin is None

    def test_fin_avec_relais_annule_les_rendez_vous_suivants(self, mesure, referent, delegue):
        rdv = EntretienFactory(accompagnement=mesure, statut="PLANIFIE", date_heure=dans(days=10))
        services.terminer_accompagnement(
            accompagnement=mesure,
            par=referent,
            date_fin=timezone.localdate(),
            motif_fin="DEMENAGEMENT",
            destination="LOCATION_SOCIALE",
            relais="Relais au CCAS de la nouvelle commune",
            version=mesure.version,
        )
        mesure.refresh_from_db()
        rdv.refresh_from_db()
        assert (mesure.motif_fin, mesure.destination) == ("DEMENAGEMENT", "LOCATION_SOCIALE")
        assert rdv.statut == "ANNULE"

    def test_deux_fins_concurrentes_la_seconde_est_refusee(self, mesure, referent, collegue):
        v = mesure.version
        services.terminer_accompagnement(
            accompagnement=mesure, par=collegue, date_fin=timezone.localdate(), motif_fin="REFUS", version=v
        )
        with pytest.raises(ConflitDeVersion):
            services.terminer_accompagnement(
                accompagnement=mesure, par=referent, date_fin=timezone.localdate(), motif_fin="DECES", version=v
            )
        mesure.refresh_from_db()
        assert mesure.motif_fin == "REFUS"


class TestFinDeSejourSousConvention:
    """domain.md §8: the four ends of seed 002 of a stay FJT under convention are the responsable's
    decision (admissions' FinDePriseEnCharge), whatever the screen the measure is ended from."""

    @pytest.fixture
    def convention(self, referent):
        return AccompagnementFactory(
            referent=referent,
            modalite=modalite(Modalite.Code.FJT_CONVENTION),
            date_debut=timezone.localdate() - datetime.timedelta(days=60),
        )

    def _decider(self, mesure, responsable, motif="MANQUEMENT_REGLEMENT", effet=None):
        return FinDePriseEnCharge.objects.create(
            accompagnement=mesure,
            motif=motif,
            explications="Manquements répétés au règlement.",
            decidee_le=timezone.localdate(),
            date_effet=effet or timezone.localdate(),
            tiers_informe_le=timezone.localdate(),
            decidee_par=responsable,
        )

    def _terminer(self, mesure, par, motif, date_fin=None):
        mesure = Accompagnement.objects.get(pk=mesure.pk)
        return services.terminer_accompagnement(
            accompagnement=mesure,
            par=par,
            date_fin=date_fin or timezone.localdate(),
            motif_fin=motif,
            destination="FAMILLE",
            version=mesure.version,
        )

    def test_les_motifs_sont_ceux_de_la_fin_de_prise_en_charge(self):
        assert set(services.MOTIFS_FIN_DECIDEE) == set(FinDePriseEnCharge.Motif.values)

    @pytest.mark.parametrize("motif", list(FinDePriseEnCharge.Motif.values))
    def test_sans_decision_du_responsable_refusee(self, convention, referent, responsable, motif):
        for par in (referent, responsable):
            with pytest.raises(ValidationError, match="décidé par le responsable"):
                self._terminer(convention, par, motif)
        convention.refresh_from_db()
        assert convention.date_fin is None

    def test_avec_la_decision_au_terme_du_preavis(self, convention, referent, responsable):
        effet = timezone.localdate() + datetime.timedelta(days=31)
        self._decider(convention, responsable, effet=effet)
        with pytest.raises(ValidationError, match=f"prend fin le {effet:%d/%m/%Y}"):
            self._terminer(convention, referent, "MANQUEMENT_REGLEMENT", date_fin=effet - datetime.timedelta(days=1))
        with pytest.raises(ValidationError, match="« manquement au règlement de fonctionnement »"):
            self._terminer(convention, referent, "REFUS", date_fin=effet)
        convention.refresh_from_db()
        assert convention.date_fin is None
        self._terminer(convention, referent, "MANQUEMENT_REGLEMENT", date_fin=effet)
        convention.refresh_from_db()
        assert (convention.date_fin, convention.motif_fin) == (effet, "MANQUEMENT_REGLEMENT")

    def test_les_autres_motifs_et_les_autres_modalites_inchanges(self, convention, mesure, referent):
        # Not a reason of seed 002: the team ends the stay (a move, objectives reached…).
        self._terminer(convention, referent, "DEMENAGEMENT")
        # Outside a stay under convention the same reason needs no decision.
        self._terminer(mesure, referent, "REFUS")
        assert Accompagnement.objects.filter(date_fin__isnull=False).count() == 2


class TestObjectifsEtCoReferents:
    def test_objectif_puis_evaluation(self, mesure, referent):
        objectif = services.creer_objectif(
            accompagnement=mesure, par=referent, domaine="LOGEMENT", libelle="Trouver un T2", critere="bail signé"
        )
        evaluation = services.evaluer_objectif(
            objectif=objectif, par=referent, niveau=2, parole_personne="J'ai visité trois logements."
        )
        assert evaluation.get_niveau_display() == "partiellement atteint"

    @pytest.mark.parametrize("version", ["abc", "1.5", "", None, [1], "9" * 30])
    def test_version_trafiquee_est_un_conflit(self, mesure, referent, version):
        objectif = ObjectifFactory(accompagnement=mesure)
        with pytest.raises(ConflitDeVersion):
            services.modifier_objectif(objectif=objectif, par=referent, version=version, libelle="Trafiqué")
        objectif.refresh_from_db()
        assert objectif.libelle != "Trafiqué"

    def test_modification_concurrente_d_objectif(self, mesure, referent, collegue):
        objectif = ObjectifFactory(accompagnement=mesure)
        services.modifier_objectif(objectif=objectif, par=collegue, version=1, libelle="Version A")
        with pytest.raises(ConflitDeVersion):
            services.modifier_objectif(objectif=objectif, par=referent, version=1, libelle="Version B")
        objectif.refresh_from_db()
        assert objectif.libelle == "Version A"

    def test_ajout_et_retrait_d_un_partenaire(self, mesure, referent):
        contact = ContactPartenaireFactory()
        coref = services.ajouter_coreferent(accompagnement=mesure, par=referent, contact=contact, role="éducatrice ASE")
        with pytest.raises(ValidationError, match="déjà en place"):
            services.ajouter_coreferent(accompagnement=mesure, par=referent, contact=contact)
        services.retirer_coreferent(coreferent=coref, par=referent)
        coref.refresh_from_db()
        assert coref.date_fin == timezone.localdate()

    def test_retrait_avant_le_debut_refuse(self, mesure, referent):
        coref = CoReferentFactory(accompagnement=mesure, user=ReferentFactory(), date_debut=timezone.localdate())
        with pytest.raises(ValidationError, match="ne peut pas précéder"):
            services.retirer_coreferent(
                coreferent=coref, par=referent, date_fin=timezone.localdate() - datetime.timedelta(days=1)
            )

    def test_ouvrir_deux_fois_la_meme_modalite_refuse(self, mesure, referent):
        with pytest.raises(ValidationError, match="déjà un accompagnement"):
            services.ouvrir_accompagnement(
                resident=mesure.resident,
                par=referent,
                modalite=mesure.modalite,
                referent=referent,
                date_debut=timezone.localdate(),
            )

    def test_ouvrir_en_meme_temps_que_quelqu_un_d_autre_message_et_pas_d_erreur_500(
        self, mesure, referent, monkeypatch
    ):
        from accompagnement.models import AccompagnementQuerySet

        # The other opening was saved between this one's check and its save.
        monkeypatch.setattr(AccompagnementQuerySet, "exists", lambda self: False)
        monkeypatch.setattr(Accompagnement, "validate_constraints", lambda self, exclude=None: None)
        with pytest.raises(ValidationError, match="déjà un accompagnement en cours"):
            services.ouvrir_accompagnement(
                resident=mesure.resident,
                par=referent,
                modalite=mesure.modalite,
                referent=referent,
                date_debut=timezone.localdate(),
            )
        assert Accompagnement.objects.filter(resident=mesure.resident).count() == 1

    def test_ouvrir_une_orientation_emploi_refuse(self, referent, structure):
        with pytest.raises(ValidationError, match="orientation"):
            services.ouvrir_accompagnement(
                resident=ResidentFactory(structure=structure),
                par=referent,
                modalite=modalite(Modalite.Code.RSA_EMPLOI),
                referent=referent,
                date_debut=timezone.localdate(),
            )


def test_une_mesure_d_une_autre_structure_nest_pas_modifiable(etranger):
    assert not acces.peut_modifier(etranger, AccompagnementFactory())


class TestCoReferentsDates:
    """A co-referent is in place from its start date and until the day it is removed (excluded)."""

    @pytest.mark.parametrize(
        ("debut", "fin", "en_place"),
        [
            (-10, None, True),
            (0, None, True),
            (3, None, False),  # starts in three days
            (-10, 5, True),  # removal planned in five days
            (-10, 0, False),  # removed today
            (-10, -1, False),
        ],
    )
    def test_visibilite_ecriture_et_choix_des_presents(self, mesure, debut, fin, en_place):
        from accompagnement.forms import EntretienForm

        jour = timezone.localdate()
        ailleurs = ReferentFactory()
        contact = ContactPartenaireFactory()
        for kwargs in ({"user": ailleurs}, {"contact": contact}):
            CoReferentFactory(
                accompagnement=mesure,
                date_debut=jour + datetime.timedelta(days=debut),
                date_fin=jour + datetime.timedelta(days=fin) if fin is not None else None,
                **kwargs,
            )
        assert (mesure in Accompagnement.objects.visibles_par(ailleurs)) is en_place
        assert acces.peut_modifier(ailleurs, mesure) is en_place
        form = EntretienForm(accompagnement=mesure, user=mesure.referent)
        assert ("partenaires" in form.fields and contact in form.fields["partenaires"].queryset) is en_place

    def test_partenaire_avec_consentement_seulement_une_fois_en_place(self, mesure):
        from tests.accounts.factories import PartenaireFactory
        from tests.residents.factories import ConsentementFactory

        partenaire = PartenaireFactory()
        ConsentementFactory(resident=mesure.resident, tiers=partenaire.contact_partenaire.tiers)
        coref = CoReferentFactory(
            accompagnement=mesure,
            contact=partenaire.contact_partenaire,
            date_debut=timezone.localdate() + datetime.timedelta(days=2),
        )
        assert mesure not in Accompagnement.objects.visibles_par(partenaire)
        coref.date_debut = timezone.localdate()
        coref.save()
        assert mesure in Accompagnement.objects.visibles_par(partenaire)
