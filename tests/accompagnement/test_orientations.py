"""The RSA orientation: the délégué decides, the structure assigns, the référent asks for a réorientation
(accompagnement.orientations), their échéances (echeances.regles_parcours) and screens."""

import datetime
import uuid

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accompagnement import orientations, services
from accompagnement.models import Accompagnement, DecisionOrientation, DemandeReorientation
from echeances import moteur
from echeances.choix import Etat, Regle
from echeances.models import Alerte
from echeances.services import synchroniser_alertes
from referentiel.models import Modalite
from residents.models import Resident
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import DelegueFactory, ReferentFactory, ResponsableFactory
from tests.referentiel.factories import StructureFactory, modalite
from tests.residents.factories import ResidentFactory

AUJOURDHUI = timezone.localdate()
SOCIOPRO = Modalite.Code.RSA_SOCIOPRO


@pytest.fixture
def service_cd():
    """The Département's insertion service, where an imported beneficiary's file starts."""
    return StructureFactory(type="SERVICE_CD")


@pytest.fixture
def msvs(service_cd):
    return StructureFactory(territoire=service_cd.territoire)


@pytest.fixture
def delegue(service_cd):
    return DelegueFactory(territoires=[service_cd.territoire])


@pytest.fixture
def allocataire(service_cd):
    return ResidentFactory(structure=service_cd, date_ouverture_rsa=AUJOURDHUI - datetime.timedelta(days=20))


def orienter(allocataire, delegue, structure, code=SOCIOPRO, date=AUJOURDHUI, **extra):
    return orientations.decider_orientation(
        resident=allocataire, par=delegue, modalite=modalite(code), structure=structure, date_decision=date, **extra
    )


# --- services ------------------------------------------------------------------------------------------


class TestDecision:
    def test_le_delegue_oriente_le_dossier_part_vers_l_organisme(self, allocataire, delegue, msvs):
        decision = orienter(allocataire, delegue, msvs, motif="  projet pro  ")
        allocataire.refresh_from_db()
        assert allocataire.orientation.code == SOCIOPRO and allocataire.date_orientation == AUJOURDHUI
        assert allocataire.structure == msvs
        assert decision.motif == "projet pro" and decision.parcours == "socioprofessionnel"
        assert decision.history.count() == 1

    def test_france_travail_sans_organisme_le_dossier_reste(self, allocataire, delegue, service_cd):
        decision = orienter(allocataire, delegue, None, code=Modalite.Code.RSA_EMPLOI)
        allocataire.refresh_from_db()
        assert decision.structure is None and allocataire.structure == service_cd
        assert allocataire.orientation.code == Modalite.Code.RSA_EMPLOI

    @pytest.mark.parametrize("qui", ["referent", "delegue_ailleurs"])
    def test_seul_le_delegue_du_territoire_oriente(self, allocataire, msvs, qui):
        par = ReferentFactory(structures=[allocataire.structure]) if qui == "referent" else DelegueFactory()
        with pytest.raises(PermissionDenied):
            orienter(allocataire, par, msvs)
        assert not DecisionOrientation.objects.exists()

    @pytest.mark.parametrize(
        ("cas", "message"),
        [
            ("avant_ouverture", "précéder l'ouverture"),
            ("a_venir", "jour à venir"),
            ("france_travail_avec_organisme", "France Travail"),
            ("sans_organisme", "organisme"),
            ("organisme_fjt", "ne propose pas"),
        ],
    )
    def test_decisions_refusees_en_francais(self, allocataire, delegue, msvs, cas, message):
        kwargs = {"structure": msvs}
        if cas == "avant_ouverture":
            kwargs["date"] = allocataire.date_ouverture_rsa - datetime.timedelta(days=1)
        elif cas == "a_venir":
            kwargs["date"] = AUJOURDHUI + datetime.timedelta(days=1)
        elif cas == "france_travail_avec_organisme":
            kwargs["code"] = Modalite.Code.RSA_EMPLOI
        elif cas == "sans_organisme":
            kwargs["structure"] = None
        else:
            kwargs["structure"] = StructureFactory(type="FJT", territoire=msvs.territoire)
        with pytest.raises(ValidationError, match=message):
            orienter(allocataire, delegue, **kwargs)
        assert not DecisionOrientation.objects.exists()

    def test_double_envoi_une_seule_decision(self, allocataire, delegue, msvs):
        jeton = uuid.uuid4()
        d1 = orienter(allocataire, delegue, msvs, jeton=jeton)
        d2 = orienter(allocataire, delegue, msvs, jeton=jeton)
        assert d1.pk == d2.pk and DecisionOrientation.objects.count() == 1

    def test_une_personne_accompagnee_se_reoriente_sur_demande(self, delegue, msvs):
        mesure = AccompagnementFactory(referent=ReferentFactory(structures=[msvs]), date_debut=AUJOURDHUI)
        Resident.objects.filter(pk=mesure.resident_id).update(
            date_ouverture_rsa=AUJOURDHUI - datetime.timedelta(days=9)
        )
        with pytest.raises(ValidationError, match="demande de son référent"):
            orienter(Resident.objects.get(pk=mesure.resident_id), delegue, msvs)


class TestAffectation:
    def test_le_responsable_affecte_la_mesure_s_ouvre_depuis_la_decision(self, allocataire, delegue, msvs):
        decision = orienter(allocataire, delegue, msvs)
        referent = ReferentFactory(structures=[msvs])
        mesure = orientations.affecter(
            decision=decision, par=ResponsableFactory(structures=[msvs]), referent=referent,
            date_debut=AUJOURDHUI, version=decision.version,
        )  # fmt: skip
        decision.refresh_from_db()
        assert decision.accompagnement == mesure and mesure.referent == referent and mesure.structure == msvs
        assert decision.affectee_par is not None and not DecisionOrientation.objects.a_affecter().exists()

    def test_un_referent_ne_prend_la_personne_que_pour_lui(self, allocataire, delegue, msvs):
        decision = orienter(allocataire, delegue, msvs)
        moi, autre = ReferentFactory(structures=[msvs]), ReferentFactory(structures=[msvs])
        with pytest.raises(PermissionDenied):
            orientations.affecter(
                decision=decision, par=moi, referent=autre, date_debut=AUJOURDHUI, version=decision.version
            )
        mesure = orientations.affecter(
            decision=decision, par=moi, referent=moi, date_debut=AUJOURDHUI, version=decision.version
        )
        assert mesure.referent == moi

    def test_une_autre_structure_n_affecte_pas_et_pas_deux_fois(self, allocataire, delegue, msvs):
        decision = orienter(allocataire, delegue, msvs)
        ailleurs = ResponsableFactory()
        with pytest.raises(PermissionDenied):
            orientations.affecter(
                decision=decision, par=ailleurs, referent=ailleurs, date_debut=AUJOURDHUI, version=decision.version
            )
        moi = ReferentFactory(structures=[msvs])
        orientations.affecter(decision=decision, par=moi, referent=moi, date_debut=AUJOURDHUI, version=decision.version)
        decision.refresh_from_db()
        with pytest.raises(ValidationError, match="déjà son référent"):
            orientations.affecter(
                decision=decision, par=moi, referent=moi, date_debut=AUJOURDHUI, version=decision.version
            )
        assert Accompagnement.objects.count() == 1

    def test_ouvrir_une_mesure_rsa_n_invente_plus_d_orientation(self, allocataire):
        referent = ReferentFactory(structures=[allocataire.structure])
        services.ouvrir_accompagnement(
            resident=allocataire, par=referent, modalite=modalite(SOCIOPRO), referent=referent, date_debut=AUJOURDHUI
        )
        allocataire.refresh_from_db()
        assert allocataire.orientation is None and allocataire.date_orientation is None


class TestReorientation:
    @pytest.fixture
    def mesure(self, allocataire, delegue, msvs):
        decision = orienter(allocataire, delegue, msvs, date=AUJOURDHUI - datetime.timedelta(days=10))
        referent = ReferentFactory(structures=[msvs])
        return orientations.affecter(
            decision=decision, par=referent, referent=referent,
            date_debut=AUJOURDHUI - datetime.timedelta(days=10), version=decision.version,
        )  # fmt: skip

    def demander(self, mesure, code=Modalite.Code.RSA_MOBILISATION, **extra):
        return orientations.demander_reorientation(
            accompagnement=mesure, par=mesure.referent, modalite=modalite(code), motif="Santé fragile.", **extra
        )

    def test_acceptee_dans_la_meme_structure_la_mesure_suivante_s_ouvre(self, mesure, delegue):
        demande = self.demander(mesure)
        decision = orientations.accepter_demande(
            demande=demande, par=delegue, modalite=demande.modalite, structure=mesure.structure,
            date=AUJOURDHUI, version=demande.version,
        )  # fmt: skip
        demande.refresh_from_db()
        mesure.refresh_from_db()
        assert demande.statut == DemandeReorientation.Statut.ACCEPTEE and decision.demande == demande
        assert mesure.date_fin == AUJOURDHUI - datetime.timedelta(days=1)
        suivante = decision.accompagnement
        assert suivante.precedent == mesure and suivante.referent == mesure.referent
        resident = Resident.objects.get(pk=mesure.resident_id)
        assert resident.orientation.code == Modalite.Code.RSA_MOBILISATION and resident.date_orientation == AUJOURDHUI

    def test_acceptee_vers_une_autre_structure_son_equipe_affecte(self, mesure, delegue):
        autre = StructureFactory(territoire=mesure.structure.territoire)
        demande = self.demander(mesure)
        decision = orientations.accepter_demande(
            demande=demande, par=delegue, modalite=demande.modalite, structure=autre, date=AUJOURDHUI,
            version=demande.version,
        )  # fmt: skip
        mesure.refresh_from_db()
        assert mesure.date_fin is not None and autre.nom in mesure.relais
        assert decision.accompagnement is None and list(DecisionOrientation.objects.a_affecter()) == [decision]
        assert Resident.objects.get(pk=mesure.resident_id).structure == autre

    def test_acceptee_vers_france_travail_la_mesure_se_ferme(self, mesure, delegue):
        demande = self.demander(mesure, code=Modalite.Code.RSA_EMPLOI)
        orientations.accepter_demande(
            demande=demande, par=delegue, modalite=demande.modalite, structure=None, date=AUJOURDHUI,
            version=demande.version,
        )  # fmt: skip
        mesure.refresh_from_db()
        assert mesure.date_fin == AUJOURDHUI - datetime.timedelta(days=1)
        assert Resident.objects.get(pk=mesure.resident_id).orientation.code == Modalite.Code.RSA_EMPLOI

    def test_refus_motive_et_une_seule_demande_en_attente(self, mesure, delegue):
        demande = self.demander(mesure)
        with pytest.raises(ValidationError, match="déjà la décision"):
            self.demander(mesure)
        with pytest.raises(ValidationError, match="motif du refus"):
            orientations.refuser_demande(demande=demande, par=delegue, motif_refus=" ", version=demande.version)
        orientations.refuser_demande(
            demande=demande, par=delegue, motif_refus="Attendre le bilan.", version=demande.version
        )
        demande.refresh_from_db()
        assert demande.statut == DemandeReorientation.Statut.REFUSEE and demande.decidee_par == delegue
        mesure.refresh_from_db()
        assert mesure.date_fin is None
        with pytest.raises(ValidationError, match="déjà été décidée"):
            orientations.refuser_demande(demande=demande, par=delegue, motif_refus="x", version=demande.version)

    def test_le_referent_ne_decide_pas(self, mesure):
        demande = self.demander(mesure)
        with pytest.raises(PermissionDenied):
            orientations.refuser_demande(demande=demande, par=mesure.referent, motif_refus="x", version=demande.version)


# --- échéances --------------------------------------------------------------------------------------------


class TestEcheances:
    def test_orientation_attendue_sans_mesure_veille_jour_lendemain(self, allocataire, delegue):
        due = allocataire.date_ouverture_rsa + relativedelta(months=1)  # ORIENTATION_RSA_DELAI: P1M
        for jour, etat in [(-1, Etat.BIENTOT), (0, Etat.BIENTOT), (1, Etat.EN_RETARD)]:
            [e] = moteur.calculer([], le=due + datetime.timedelta(days=jour), personnes=[allocataire.pk])
            assert (e.regle, e.etat, e.destinataires) == (Regle.CONTRAT_MANQUANT, etat, (delegue.pk,))
            assert e.cle == f"CONTRAT_MANQUANT:orientation:{allocataire.pk}" and e.accompagnement_id is None

    def test_referent_a_designer_puis_convocation_en_territoire_renove(self, allocataire, delegue, msvs):
        msvs.territoire.accompagnement_renove = True
        msvs.territoire.save()
        responsable = ResponsableFactory(structures=[msvs])
        decision = orienter(allocataire, delegue, msvs)
        vues = {
            e.regle + e.cle.split(":")[1]: e for e in moteur.calculer([], le=AUJOURDHUI, personnes=[allocataire.pk])
        }
        affectation = vues["CONTRAT_MANQUANTaffectation"]
        # CONTRAT_ENGAGEMENT_SIGNATURE_DELAI (P1M) from the decision: the first contract waits for a référent.
        assert affectation.due_le == AUJOURDHUI + relativedelta(months=1)
        assert affectation.destinataires == (responsable.pk,) and affectation.structure_id == msvs.pk
        convocation = vues[f"CONVOCATION{decision.pk}"]
        quinze = AUJOURDHUI + datetime.timedelta(days=15)
        assert convocation.due_le == quinze
        for jour, etat in [(-1, Etat.BIENTOT), (0, Etat.BIENTOT), (1, Etat.EN_RETARD)]:
            e = next(
                e
                for e in moteur.calculer([], le=quinze + datetime.timedelta(days=jour), personnes=[allocataire.pk])
                if e.regle == Regle.CONVOCATION
            )
            assert e.etat == etat
        referent = ReferentFactory(structures=[msvs])
        mesure = orientations.affecter(
            decision=decision, par=referent, referent=referent, date_debut=AUJOURDHUI, version=1
        )
        [conv] = [
            e
            for e in moteur.calculer([mesure.pk], le=AUJOURDHUI, personnes=[allocataire.pk])
            if e.regle == Regle.CONVOCATION
        ]
        assert conv.destinataires == (referent.pk,) and conv.accompagnement_id == mesure.pk
        EntretienFactory(
            accompagnement=mesure, statut="PLANIFIE", date_heure=timezone.now() + datetime.timedelta(days=3)
        )
        regles = {e.regle for e in moteur.calculer([mesure.pk], le=AUJOURDHUI, personnes=[allocataire.pk])}
        assert Regle.CONVOCATION not in regles

    def test_pas_de_convocation_hors_territoire_renove(self, allocataire, delegue, msvs):
        orienter(allocataire, delegue, msvs)
        assert Regle.CONVOCATION not in {
            e.regle for e in moteur.calculer([], le=AUJOURDHUI, personnes=[allocataire.pk])
        }

    def test_demande_de_reorientation_a_decider_par_les_delegues(self, delegue, msvs):
        referent = ReferentFactory(structures=[msvs])
        mesure = AccompagnementFactory(referent=referent, date_debut=AUJOURDHUI - datetime.timedelta(days=40))
        demande = orientations.demander_reorientation(
            accompagnement=mesure, par=referent, modalite=modalite(Modalite.Code.RSA_VEILLE), motif="Emploi trouvé."
        )
        [e] = [e for e in moteur.calculer([mesure.pk], le=AUJOURDHUI) if e.regle == Regle.REORIENTATION_DEMANDEE]
        assert e.due_le == AUJOURDHUI + relativedelta(months=1) and e.destinataires == (delegue.pk,)
        orientations.refuser_demande(demande=demande, par=delegue, motif_refus="Non.", version=demande.version)
        assert not [e for e in moteur.calculer([mesure.pk], le=AUJOURDHUI) if e.regle == Regle.REORIENTATION_DEMANDEE]

    def test_le_traitement_du_matin_leve_l_alerte_la_synchronisation_de_la_personne_la_ferme(
        self, allocataire, delegue, msvs
    ):
        le = AUJOURDHUI + datetime.timedelta(days=40)  # orientation and first contract both overdue then
        synchroniser_alertes(le=le)
        alerte = Alerte.objects.get(cle=f"CONTRAT_MANQUANT:orientation:{allocataire.pk}")
        assert alerte.statut == Alerte.Statut.OUVERTE and alerte.resident_id == allocataire.pk
        assert alerte.accompagnement_id is None and alerte.destinataires == [delegue.pk]
        orienter(allocataire, delegue, msvs)
        # What the decision's signals ask once committed: the person's partial run, measures or not.
        bilan = synchroniser_alertes(le=le, personnes=[allocataire.pk])
        alerte.refresh_from_db()
        assert alerte.statut == Alerte.Statut.FERMEE and bilan.fermees == 1
        assert Alerte.objects.get(cle__startswith="CONTRAT_MANQUANT:affectation:").statut == Alerte.Statut.OUVERTE


# --- screens ---------------------------------------------------------------------------------------------


class TestVues:
    def test_a_orienter_delegue_seulement_de_son_territoire(self, client, allocataire, delegue):
        client.force_login(delegue)
        page = client.get(reverse("accompagnement:a_orienter")).content.decode()
        assert str(allocataire) in page and "Orienter" in page
        client.force_login(DelegueFactory())
        assert str(allocataire) not in client.get(reverse("accompagnement:a_orienter")).content.decode()
        client.force_login(ReferentFactory(structures=[allocataire.structure]))
        assert client.get(reverse("accompagnement:a_orienter")).status_code == 403

    def test_orienter_delegue_collegue_etranger(self, client, allocataire, delegue, msvs):
        url = reverse("accompagnement:orienter", args=[allocataire.pk])
        client.force_login(ReferentFactory(structures=[allocataire.structure]))
        assert client.get(url).status_code == 403
        client.force_login(DelegueFactory())
        assert client.get(url).status_code == 404
        client.force_login(ReferentFactory())
        assert client.get(url).status_code == 404
        client.force_login(delegue)
        assert client.get(url).status_code == 200
        reponse = client.post(
            url, {"modalite": modalite(SOCIOPRO).pk, "structure": msvs.pk, "date_decision": "01/01/2020"}
        )
        assert reponse.status_code == 200 and "précéder l" in reponse.content.decode()
        reponse = client.post(
            url,
            {"modalite": modalite(SOCIOPRO).pk, "structure": msvs.pk, "date_decision": AUJOURDHUI.strftime("%d/%m/%Y")},
        )
        decision = DecisionOrientation.objects.get()
        assert reponse.status_code == 302 and reponse["Location"] == reverse(
            "accompagnement:orientation", args=[decision.pk]
        )

    def test_fiche_lettre_et_affectation(self, client, allocataire, delegue, msvs):
        decision = orienter(allocataire, delegue, msvs)
        url = reverse("accompagnement:orientation", args=[decision.pk])
        responsable = ResponsableFactory(structures=[msvs])
        referent = ReferentFactory(structures=[msvs])
        client.force_login(ReferentFactory())
        assert client.get(url).status_code == 404
        assert client.get(reverse("accompagnement:orientation_lettre", args=[decision.pk])).status_code == 404
        client.force_login(delegue)
        page = client.get(url).content.decode()
        assert "Désigner le référent" not in page and "Lettre à la personne" in page
        lettre = client.get(reverse("accompagnement:orientation_lettre", args=[decision.pk]))
        assert lettre["Content-Type"] == "application/pdf" and lettre.content.startswith(b"%PDF-")
        client.force_login(responsable)
        assert "Désigner le référent" in client.get(url).content.decode()
        assert str(allocataire) in client.get(reverse("accompagnement:a_affecter")).content.decode()
        reponse = client.post(
            reverse("accompagnement:affecter", args=[decision.pk]),
            {"referent": referent.pk, "date_debut": AUJOURDHUI.strftime("%d/%m/%Y"), "version": decision.version},
        )
        assert reponse.status_code == 302 and Accompagnement.objects.get().referent == referent

    def test_demande_et_decision_par_l_ecran(self, client, delegue, msvs):
        referent = ReferentFactory(structures=[msvs])
        mesure = AccompagnementFactory(referent=referent, date_debut=AUJOURDHUI - datetime.timedelta(days=40))
        url = reverse("accompagnement:demander_reorientation", args=[mesure.pk])
        client.force_login(ReferentFactory())
        assert client.get(url).status_code == 404
        client.force_login(referent)
        assert client.get(reverse("accompagnement:reorienter", args=[mesure.pk]))["Location"] == url
        reponse = client.post(url, {"modalite": modalite(Modalite.Code.RSA_VEILLE).pk, "motif": "Emploi trouvé."})
        demande = DemandeReorientation.objects.get()
        assert reponse.status_code == 302
        decider = reverse("accompagnement:decider_reorientation", args=[demande.pk])
        assert client.post(decider, {"decision": "refuser", "motif_refus": "x", "version": 1}).status_code == 403
        client.force_login(DelegueFactory())
        assert client.get(reverse("accompagnement:demande_reorientation", args=[demande.pk])).status_code == 404
        client.force_login(delegue)
        page = client.get(reverse("accompagnement:demande_reorientation", args=[demande.pk])).content.decode()
        assert "Accepter la réorientation" in page and "Emploi trouvé." in page
        reponse = client.post(decider, {"decision": "refuser", "motif_refus": "", "version": 1})
        assert reponse.status_code == 400 and "Ce champ est obligatoire" in reponse.content.decode()
        reponse = client.post(
            decider,
            {
                "decision": "accepter",
                "modalite": modalite(Modalite.Code.RSA_VEILLE).pk,
                "structure": msvs.pk,
                "date": AUJOURDHUI.strftime("%d/%m/%Y"),
                "version": 1,
            },
        )
        demande.refresh_from_db()
        assert reponse.status_code == 302 and demande.statut == DemandeReorientation.Statut.ACCEPTEE

    def test_le_dossier_montre_l_orientation_et_l_echeance_sans_mesure(self, client, allocataire, delegue):
        Resident.objects.filter(pk=allocataire.pk).update(date_ouverture_rsa=AUJOURDHUI - datetime.timedelta(days=40))
        client.force_login(delegue)
        page = client.get(reverse("residents:dossier", args=[allocataire.pk]) + "?sections=1").content.decode()
        assert "Orientation RSA" in page and "Décider de l'orientation" in page
        assert "Orientation RSA attendue au plus tard" in page
