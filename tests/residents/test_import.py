"""The import of the Département's file of new RSA beneficiaries: reading, preview, import, idempotence."""

import datetime
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from referentiel.models import Structure
from residents import imports, services_import
from residents.models import CorrespondanceColonnes, ImportAllocataires, Resident
from residents.services_import import Statut
from tests.accounts.factories import DelegueFactory
from tests.referentiel.factories import StructureFactory, TerritoireFactory
from tests.residents.factories import ResidentFactory

E = ImportAllocataires.Etat
ENTETES = "N° allocataire;Nom;Prénom;Date de naissance;Adresse;Date d'ouverture du droit;Situation familiale"


def ouverture(jours=20):
    return (timezone.localdate() - datetime.timedelta(days=jours)).strftime("%d/%m/%Y")


def ligne(numero="1234567", nom="Lefèvre", prenom="Élodie", naissance="02/04/1990", adresse="3 rue des Lilas",
          date_ouverture=None, situation="seule", sep=";"):  # fmt: skip
    return sep.join([numero, nom, prenom, naissance, adresse, date_ouverture or ouverture(), situation])


def contenu_csv(*lignes, entetes=ENTETES, encodage="utf-8"):
    return ("\n".join([entetes, *lignes]) + "\n").encode(encodage)


def fichier(contenu, nom="allocataires.csv"):
    return SimpleUploadedFile(nom, contenu)


def xlsx(rangs):
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    for rang in rangs:
        feuille.append(rang)
    flux = io.BytesIO()
    classeur.save(flux)
    return flux.getvalue()


@pytest.fixture
def territoire():
    return TerritoireFactory()


@pytest.fixture
def pole(territoire):
    return StructureFactory(territoire=territoire, type=Structure.Type.SERVICE_CD, nom="Pôle insertion – test")


@pytest.fixture
def delegue(territoire):
    return DelegueFactory(territoires=[territoire])


def deposer(delegue, pole, contenu, nom="allocataires.csv"):
    return services_import.deposer(par=delegue, structure=pole, fichier=fichier(contenu, nom))


def apercu(delegue, pole, contenu, nom="allocataires.csv"):
    """Deposit, confirm the proposed columns, read: the preview."""
    import_ = deposer(delegue, pole, contenu, nom)
    services_import.choisir_colonnes(
        import_=import_, par=delegue, correspondance=services_import.proposition(import_, delegue)
    )
    import_.refresh_from_db()
    assert import_.etat == E.APERCU, import_.erreur
    return import_


def importer(delegue, pole, contenu, nom="allocataires.csv"):
    import_ = apercu(delegue, pole, contenu, nom)
    assert services_import.confirmer(import_=import_, par=delegue)
    services_import.appliquer(import_.pk)
    import_.refresh_from_db()
    assert import_.etat == E.TERMINE, import_.erreur
    return import_


def statuts(import_):
    lignes = import_.compte_rendu if import_.etat == E.TERMINE else import_.apercu
    return [ligne["statut"] for ligne in lignes]


# --- reading the file ------------------------------------------------------------------------------


def test_csv_utf8_point_virgule_et_entetes_sans_accents_ni_casse():
    tableau = imports.lire(contenu_csv(ligne(), entetes=ENTETES.upper().replace("É", "E")))
    assert tableau.format == "csv" and len(tableau.lignes) == 1
    proposes = imports.deviner(tableau.entetes)
    assert set(proposes.values()) == {
        "numero_allocataire", "nom", "prenom", "date_naissance", "adresse", "date_ouverture_rsa",
        "situation_familiale",
    }  # fmt: skip


def test_csv_windows_1252_a_virgules():
    contenu = contenu_csv(ligne(sep=","), entetes=ENTETES.replace(";", ","), encodage="cp1252")
    tableau = imports.lire(contenu)
    donnees, erreurs = imports.valider(tableau.lignes[0][1], imports.deviner(tableau.entetes))
    assert erreurs == [] and donnees["nom"] == "Lefèvre" and donnees["prenom"] == "Élodie"


def test_xlsx_valeurs_et_dates_du_tableur():
    jour = timezone.localdate() - datetime.timedelta(days=3)
    contenu = xlsx([ENTETES.split(";"), [1234567, "Martin", "Paul", datetime.datetime(1980, 1, 5), "", jour, "Marié"]])
    tableau = imports.lire(contenu)
    donnees, erreurs = imports.valider(tableau.lignes[0][1], imports.deviner(tableau.entetes))
    assert tableau.format == "xlsx" and erreurs == []
    assert donnees["numero_allocataire"] == "1234567" and donnees["date_naissance"] == "1980-01-05"
    assert donnees["situation_familiale"] == Resident.SituationFamiliale.COUPLE


def test_une_formule_n_est_jamais_evaluee_sa_ligne_est_refusee():
    contenu = xlsx(
        [ENTETES.split(";"), ["1234567", '=HYPERLINK("http://x")', "Paul", "05/01/1980", "", ouverture(), "seul"]]
    )
    tableau = imports.lire(contenu)
    donnees, erreurs = imports.valider(tableau.lignes[0][1], imports.deviner(tableau.entetes))
    assert donnees is None and "Formule dans la colonne « nom »" in erreurs[0]


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"   \n\n", "Le fichier est vide."),
        (ENTETES.encode() + b"\n", "aucune ligne d'allocataire"),
        (contenu_csv(ligne(), encodage="utf-16"), "L'encodage de ce fichier n'est pas reconnu"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x01\x02", "ni un fichier CSV ni un classeur Excel"),
        (b"PK\x03\x04pas vraiment un zip", "ni un fichier CSV ni un classeur Excel"),
    ],
    ids=["vide", "blanc", "sans-lignes", "utf16", "pdf", "faux-zip"],
)
def test_fichiers_refuses_avec_un_message_en_francais(contenu, message):
    with pytest.raises(ValidationError) as exc:
        imports.lire(contenu)
    assert message in exc.value.messages[0]


def test_un_zip_qui_n_est_pas_un_classeur_est_refuse():
    import zipfile

    flux = io.BytesIO()
    with zipfile.ZipFile(flux, "w") as archive:
        archive.writestr("document.txt", "bonjour")
    with pytest.raises(ValidationError, match="ni un fichier CSV ni un classeur Excel"):
        imports.lire(flux.getvalue())


def test_un_fichier_de_50_mo_est_refuse_sans_rien_garder(delegue, pole):
    gros = SimpleUploadedFile("gros.csv", ENTETES.encode() + b"\n" + b"x" * (50 * 1024 * 1024))
    with pytest.raises(ValidationError, match=r"dépasse la taille autorisée \(10 Mo\)"):
        services_import.deposer(par=delegue, structure=pole, fichier=gros)
    assert not ImportAllocataires.objects.exists()


@pytest.mark.parametrize(
    ("modifs", "message"),
    [
        ({"naissance": "31/02/1990"}, "Date de naissance illisible (« 31/02/1990 »)"),
        ({"nom": ""}, "Nom manquant."),
        ({"numero": ""}, "N° allocataire manquant."),
        ({"situation": "compliquée"}, "Situation familiale inconnue (« compliquée »)"),
        ({"date_ouverture": "01/01/2099"}, "Cette date est trop lointaine"),
        ({"date_ouverture": "tomorrow"}, "Date d'ouverture du droit illisible"),
    ],
)
def test_erreurs_par_ligne_en_francais(modifs, message):
    tableau = imports.lire(contenu_csv(ligne(**modifs)))
    donnees, erreurs = imports.valider(tableau.lignes[0][1], imports.deviner(tableau.entetes))
    assert donnees is None and any(message in e for e in erreurs), erreurs


def test_date_d_ouverture_dans_le_futur():
    demain = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    tableau = imports.lire(contenu_csv(ligne(date_ouverture=demain)))
    _d, erreurs = imports.valider(tableau.lignes[0][1], imports.deviner(tableau.entetes))
    assert erreurs == ["Date d'ouverture du droit dans le futur : le droit n'est pas encore ouvert."]


# --- columns --------------------------------------------------------------------------------------------


def test_colonnes_inconnues_ignorees_et_colonne_obligatoire_manquante(delegue, pole):
    entetes = "Matricule;Nom;Prénom;Né le;Couleur préférée;Date ouverture droit;Sitfam"
    import_ = deposer(delegue, pole, contenu_csv(ligne(), entetes=entetes))
    proposes = services_import.proposition(import_, delegue)
    assert 4 not in proposes  # « Couleur préférée »: ignored
    assert proposes[0] == "numero_allocataire" and proposes[3] == "date_naissance"
    sans_nom = {i: c for i, c in proposes.items() if c != "nom"}
    with pytest.raises(ValidationError, match="Indiquez la colonne de : nom"):
        services_import.choisir_colonnes(import_=import_, par=delegue, correspondance=sans_nom)
    with pytest.raises(ValidationError, match="Une seule colonne par information : nom"):
        services_import.choisir_colonnes(import_=import_, par=delegue, correspondance={**proposes, 4: "nom"})


def test_la_derniere_correspondance_est_retenue(delegue, pole):
    entetes = (
        "Identifiant bénéficiaire;Nom;Prénom;Date de naissance;Adresse;Date d'ouverture du droit;Situation familiale"
    )
    import_ = deposer(delegue, pole, contenu_csv(ligne(), entetes=entetes))
    proposes = services_import.proposition(import_, delegue)
    assert 0 not in proposes  # not a known name
    services_import.choisir_colonnes(import_=import_, par=delegue, correspondance={**proposes, 0: "numero_allocataire"})
    assert CorrespondanceColonnes.objects.get(user=delegue).colonnes["identifiantbeneficiaire"] == "numero_allocataire"
    suivant = deposer(delegue, pole, contenu_csv(ligne(numero="7654321"), entetes=entetes))
    assert services_import.proposition(suivant, delegue)[0] == "numero_allocataire"


# --- preview and import -----------------------------------------------------------------------------------


def test_apercu_nouveau_connu_doublon_erreur_puis_import(delegue, pole, territoire):
    ailleurs = StructureFactory(territoire=territoire)
    connue = ResidentFactory(
        structure=ailleurs, nom="Martin", prenom="Paul", date_naissance=datetime.date(1980, 1, 5),
        numero_allocataire="2222222", situation_familiale=Resident.SituationFamiliale.SEUL,
    )  # fmt: skip
    ResidentFactory(structure=ailleurs, nom="LEFEVRE", prenom="Elodie", date_naissance=datetime.date(1990, 4, 2))
    hors_territoire = ResidentFactory(
        numero_allocataire="3333333", nom="Autre", date_naissance=datetime.date(1970, 1, 1)
    )
    contenu = contenu_csv(
        ligne(numero="1111111", nom="Durand", prenom="Zoé", naissance="10/10/1985"),
        ligne(numero="2222222", nom="Martin", prenom="Paul", naissance="05/01/1980", situation="marié"),
        ligne(numero="4444444"),  # Élodie Lefèvre: already followed without a number
        ligne(numero="5555555", nom="", prenom="Jean"),
        ligne(numero="3333333", nom="Autre", prenom="X", naissance="01/01/1970"),
        ligne(numero="1111111", nom="Durand", prenom="Zoé", naissance="10/10/1985"),
    )
    import_ = apercu(delegue, pole, contenu)
    assert statuts(import_) == [Statut.NOUVEAU, Statut.MAJ, Statut.DOUBLON, Statut.ERREUR, Statut.ERREUR, Statut.ERREUR]
    messages = [ligne["message"] for ligne in import_.apercu]
    assert "Doublon probable de Elodie LEFEVRE" in messages[2]
    assert messages[3] == "Nom manquant."
    assert "hors de vos territoires" in messages[4]
    assert messages[5] == "Ce n° allocataire figure déjà ligne 2 du fichier."
    assert import_.compteurs == {"NOUVEAU": 1, "MAJ": 1, "INCHANGE": 0, "DOUBLON": 1, "ERREUR": 3}
    assert not Resident.objects.filter(numero_allocataire="1111111").exists()  # nothing before confirming
    assert not import_.fichier  # the file is gone once read: the preview holds what will be written

    importer_ = services_import.confirmer(import_=import_, par=delegue)
    assert importer_ and not services_import.confirmer(import_=import_, par=delegue)  # a double submit
    services_import.appliquer(import_.pk)
    assert services_import.appliquer(import_.pk) is None  # a second delivery does nothing
    import_.refresh_from_db()
    assert import_.etat == E.TERMINE and import_.apercu == []
    nouvelle = Resident.objects.get(numero_allocataire="1111111")
    assert nouvelle.structure == pole and nouvelle.orientation_id is None and not nouvelle.accompagnements.exists()
    assert nouvelle.date_ouverture_rsa == timezone.localdate() - datetime.timedelta(days=20)
    assert nouvelle.nom_recherche == "durand zoe"
    assert nouvelle.history.get().history_user == delegue
    connue.refresh_from_db()
    assert connue.situation_familiale == Resident.SituationFamiliale.COUPLE and connue.version == 2
    assert connue.history.first().history_change_reason.startswith(f"import n°{import_.pk}")
    hors_territoire.refresh_from_db()
    assert hors_territoire.nom == "Autre"
    assert Resident.objects.filter(nom__iexact="lefevre").count() == 1  # the duplicate was not created


def test_reimporter_le_meme_fichier_ne_change_rien(delegue, pole):
    noms = ["Arnaud", "Bertin", "Collin", "Dumas", "Évrard"]
    contenu = contenu_csv(*(ligne(numero=f"10000{i:02}", nom=nom, prenom="Ana") for i, nom in enumerate(noms)))
    premier = importer(delegue, pole, contenu)
    assert statuts(premier) == [Statut.NOUVEAU] * 5
    avant = list(Resident.objects.order_by("pk").values())
    historique = Resident.history.count()
    second = importer(delegue, pole, contenu)
    assert statuts(second) == [Statut.INCHANGE] * 5
    assert second.compteurs["INCHANGE"] == 5 and second.compteurs["NOUVEAU"] == 0
    assert list(Resident.objects.order_by("pk").values()) == avant
    assert Resident.history.count() == historique


def test_rien_n_est_importe_a_moitie(delegue, pole, monkeypatch):
    existante = ResidentFactory(structure=pole, numero_allocataire="2222222", nom="Martin", prenom="Paul",
                                date_naissance=datetime.date(1980, 1, 5))  # fmt: skip
    contenu = contenu_csv(ligne(numero="1111111"), ligne(numero="2222222", nom="Martin", prenom="Paul",
                                                         naissance="05/01/1980", situation="veuf"))  # fmt: skip
    import_ = apercu(delegue, pole, contenu)
    services_import.confirmer(import_=import_, par=delegue)

    def panne(*args, **kwargs):
        raise RuntimeError("disque plein")

    monkeypatch.setattr(services_import, "bulk_update_with_history", panne)
    services_import.appliquer(import_.pk)
    import_.refresh_from_db()
    assert import_.etat == E.ECHEC and "rien n'a été importé" in import_.erreur
    assert not Resident.objects.filter(numero_allocataire="1111111").exists()
    existante.refresh_from_db()
    assert existante.situation_familiale == Resident.SituationFamiliale.SEUL


def test_les_lignes_sont_reclassees_a_l_import(delegue, pole):
    """Between the preview and the confirmation, someone created the person: the import sees it."""
    import_ = apercu(delegue, pole, contenu_csv(ligne(numero="1111111")))
    ResidentFactory(structure=pole, numero_allocataire="1111111", nom="Lefèvre", prenom="Élodie",
                    date_naissance=datetime.date(1990, 4, 2), date_ouverture_rsa=timezone.localdate()
                    - datetime.timedelta(days=20))  # fmt: skip
    services_import.confirmer(import_=import_, par=delegue)
    services_import.appliquer(import_.pk)
    import_.refresh_from_db()
    # Known now: only her empty address is filled in.
    assert statuts(import_) == [Statut.MAJ] and import_.compte_rendu[0]["changements"] == ["adresse"]
    assert Resident.objects.filter(numero_allocataire="1111111").count() == 1


def test_numero_connu_d_une_autre_personne(delegue, pole):
    ResidentFactory(structure=pole, numero_allocataire="1111111", nom="Bernard", prenom="Luc",
                    date_naissance=datetime.date(1975, 3, 3))  # fmt: skip
    import_ = apercu(delegue, pole, contenu_csv(ligne(numero="1111111")))
    assert statuts(import_) == [Statut.ERREUR]
    assert "Ce n° allocataire est celui de Luc Bernard, né·e le 03/03/1975" in import_.apercu[0]["message"]


# --- who may import -------------------------------------------------------------------------------------------


def test_structure_hors_de_ses_territoires_refusee(delegue):
    with pytest.raises(ValidationError, match="Choisissez une structure de vos territoires."):
        deposer(delegue, StructureFactory(), contenu_csv(ligne()))


def test_un_referent_n_importe_pas(referent, structure):
    with pytest.raises(PermissionDenied):
        deposer(referent, structure, contenu_csv(ligne()))


def test_un_delegue_d_un_autre_territoire_ne_touche_pas_l_import(delegue, pole):
    import_ = deposer(delegue, pole, contenu_csv(ligne()))
    autre = DelegueFactory()
    with pytest.raises(PermissionDenied):
        services_import.choisir_colonnes(import_=import_, par=autre, correspondance={})
    with pytest.raises(PermissionDenied):
        services_import.confirmer(import_=import_, par=autre)
    assert not ImportAllocataires.objects.visibles_par(autre).exists()
    collegue = DelegueFactory(territoires=[pole.territoire])
    assert ImportAllocataires.objects.visibles_par(collegue).get() == import_


def test_relance_d_un_import_confirme_jamais_confie(delegue, pole, monkeypatch):
    import_ = apercu(delegue, pole, contenu_csv(ligne()))
    services_import.confirmer(import_=import_, par=delegue)
    confies = []
    monkeypatch.setattr(
        services_import, "mettre_en_file_les", lambda tache, modele, pks: confies.append((tache, pks)) or len(pks)
    )
    services_import.relancer(maintenant=timezone.now() + datetime.timedelta(minutes=5))
    assert confies[-1] == (services_import.TACHE_IMPORT, [import_.pk])


def test_un_import_interrompu_est_repris_par_le_passage_de_la_minute(delegue, pole, monkeypatch):
    import_ = apercu(delegue, pole, contenu_csv(ligne(numero="1111111")))
    services_import.confirmer(import_=import_, par=delegue)
    # A worker of another machine claimed it: its claim is left alone while it may still be running.
    lignes = ImportAllocataires.objects.filter(pk=import_.pk)
    lignes.update(etat=E.EN_COURS, pris_par="ailleurs:1", pris_le=timezone.now(), tentatives=1)
    assert services_import.appliquer(import_.pk) is None
    # It died (its transaction rolled back by PostgreSQL): past the deadline, the minute's pass takes it back.
    lignes.update(pris_le=timezone.now() - datetime.timedelta(minutes=20))
    monkeypatch.setattr(services_import, "mettre_en_file_les", lambda tache, modele, pks: len(pks))
    services_import.relancer()
    import_.refresh_from_db()
    assert import_.etat == E.EN_ATTENTE
    services_import.appliquer(import_.pk)
    import_.refresh_from_db()
    assert import_.etat == E.TERMINE and Resident.objects.filter(numero_allocataire="1111111").count() == 1


def test_un_gros_fichier_est_lu_en_tache_de_fond(delegue, pole, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(services_import, "LECTURE_IMMEDIATE_OCTETS", 10)
    confies = []
    monkeypatch.setattr(
        services_import, "mettre_en_file_les", lambda tache, modele, pks: confies.append((tache, pks)) or len(pks)
    )
    import_ = deposer(delegue, pole, contenu_csv(ligne()))
    with django_capture_on_commit_callbacks(execute=True):
        services_import.choisir_colonnes(
            import_=import_, par=delegue, correspondance=services_import.proposition(import_, delegue)
        )
    import_.refresh_from_db()
    assert import_.etat == E.ANALYSE_EN_ATTENTE and confies == [(services_import.TACHE_ANALYSE, [import_.pk])]
    services_import.analyser(import_.pk)
    import_.refresh_from_db()
    assert import_.etat == E.APERCU and statuts(import_) == [Statut.NOUVEAU]


def test_l_anonymisation_efface_le_numero_allocataire(pole):
    from residents.retention import anonymiser

    personne = ResidentFactory(structure=pole, numero_allocataire="1234567")
    anonymiser(personne)
    personne.refresh_from_db()
    assert personne.numero_allocataire == ""
    assert not Resident.history.filter(id=personne.pk).exclude(numero_allocataire="").exists()
