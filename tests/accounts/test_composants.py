"""The shared components of templates/components/."""

import re

import pytest
from django import forms
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


class FormulaireExemple(forms.Form):
    nom = forms.CharField(label="Nom", help_text="Tel qu’écrit sur la pièce d’identité.")
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def clean(self):
        raise forms.ValidationError("Erreur générale.")


def test_formulaire_erreurs_reliees_aux_champs():
    form = FormulaireExemple(data={"nom": ""})
    html = render_to_string("components/formulaire.html", {"form": form})
    assert 'role="alert"' in html
    assert "Erreur générale." in html
    assert '<a href="#id_nom">Nom : Ce champ est obligatoire.</a>' in html
    assert 'aria-describedby="id_nom_helptext id_nom_error"' in html
    assert 'id="id_nom_error"' in html
    assert 'id="id_nom_helptext"' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'<label\s+for="id_nom"', html)


def test_formulaire_sans_erreur_n_a_pas_de_resume():
    html = render_to_string("components/formulaire.html", {"form": FormulaireExemple()})
    assert 'role="alert"' not in html
    assert "sont obligatoires" in html


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


class FormulaireAChoix(forms.Form):
    presents = forms.MultipleChoiceField(
        label="Présents", choices=[("a", "Amina"), ("b", "Bruno")], widget=forms.CheckboxSelectMultiple
    )


def test_erreur_d_une_liste_de_cases_renvoie_a_sa_premiere_case():
    html = render_to_string("components/formulaire.html", {"form": FormulaireAChoix(data={"presents": ["z"]})})
    assert re.search(r'<a href="#id_presents_0">Présents : ', html)
    assert 'id="id_presents_0"' in html


class FormulaireComplet(forms.Form):
    accord = forms.BooleanField(label="J’accepte", help_text="Obligatoire pour continuer.")
    choix = forms.ChoiceField(label="Choix", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    liste = forms.ChoiceField(label="Liste", choices=[("x", "X")], widget=forms.Select(attrs={"class": "form-select"}))
    fige = forms.CharField(label="Figé", required=False, disabled=True)


def test_champs_en_bootstrap_accessibles():
    html = render_to_string("components/formulaire.html", {"form": FormulaireComplet(data={"choix": "b"})})
    # A single box: its label after it, in a form-check; help and error named by the box.
    assert re.search(r'<div id="div_id_accord" class="mb-3 form-check">\s*<input type="checkbox"', html)
    assert 'aria-describedby="id_accord_helptext id_accord_error"' in html
    assert re.search(r'<label for="id_accord" class="form-check-label requiredField">J’accepte<span', html)
    # A list of radios: a fieldset with its legend, each option's own attributes (checked, required).
    assert '<legend class="form-label fs-6 requiredField">Choix<span class="asteriskField">*</span></legend>' in html
    assert re.search(r'value="b" id="id_choix_1" required checked>|value="b" id="id_choix_1" checked required>', html)
    assert '<label for="id_choix_0" class="form-check-label">A</label>' in html
    # A select in error keeps its class and gets is-invalid; a disabled field stays disabled.
    assert 'class="form-select is-invalid"' in html
    assert re.search(r'<input type="text" name="fige"[^>]* disabled', html)
    assert html.count('class="invalid-feedback d-block"') == 2  # accord and liste
