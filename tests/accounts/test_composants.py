"""The shared components of templates/components/."""

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


@pytest.mark.parametrize(
    ("etat", "mot", "classe"),
    [("A_JOUR", "À jour", "a-jour"), ("BIENTOT", "Bientôt dû", "bientot"), ("EN_RETARD", "En retard", "en-retard")],
)
def test_etat_echeance_en_mots_et_en_couleur(etat, mot, classe):
    html = render_to_string("components/etat_echeance.html", {"etat": etat, "libelle": "12/03/2025"})
    assert mot in html
    assert f"etat-echeance--{classe}" in html
    assert "12/03/2025" in html


def test_pagination_garde_les_autres_parametres():
    request = RequestFactory().get("/liste/", {"q": "dupont", "statut": ["a", "b"], "page": "2"})
    page = Paginator(list(range(100)), 10).page(2)
    html = render_to_string("components/pagination.html", {"page_obj": page, "request": request})
    assert 'aria-label="Pagination"' in html
    assert "q=dupont&amp;statut=a&amp;statut=b&amp;page=1" in html
    assert "q=dupont&amp;statut=a&amp;statut=b&amp;page=3" in html
    assert 'aria-current="page"' in html
    assert html.count("page=2") == 1  # only the current page's own link


def test_pas_de_pagination_pour_une_seule_page():
    request = RequestFactory().get("/liste/")
    page = Paginator([1, 2], 10).page(1)
    assert render_to_string("components/pagination.html", {"page_obj": page, "request": request}).strip() == ""


def test_etat_vide_avec_action():
    html = render_to_string(
        "components/etat_vide.html",
        {"message": "Aucun entretien.", "action_url": "/nouveau/", "action_libelle": "Noter un entretien"},
    )
    assert "Aucun entretien." in html
    assert '<a class="btn btn-primary" href="/nouveau/">Noter un entretien</a>' in html


def test_rappel_lecture():
    html = render_to_string("components/rappel_lecture.html")
    assert "La personne accompagnée peut demander à lire ces notes : écrivez des faits, de façon objective." in html


def test_page_de_confirmation(rf):
    from tests.accounts.factories import ReferentFactory

    request = rf.get("/rdv/3/supprimer/")
    request.user = ReferentFactory()
    html = render_to_string(
        "components/confirmation.html",
        {
            "titre": "Supprimer le rendez-vous",
            "message": "Le rendez-vous sera supprimé.",
            "annuler_url": "/rdv/3/",
            "danger": True,
        },
        request=request,
    )
    assert "<h1" in html and "Supprimer le rendez-vous" in html
    assert 'action="/rdv/3/supprimer/"' in html
    assert 'href="/rdv/3/">Annuler</a>' in html
    assert "btn-danger" in html
