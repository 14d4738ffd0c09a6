"""The contract forms follow the application's form convention (accounts/formulaires.py): labels in French
sentence case above their fields, sized text areas, help texts where a rule applies."""

import re

from django import forms
from django.template import Context, Template

from accounts.models import User
from contrats.forms import (
    AvenantForm,
    BrouillonForm,
    DecisionForm,
    FiltresContratsForm,
    MotifForm,
    NouveauContratForm,
    NouvelObjectifForm,
    RuptureForm,
)
from referentiel.models import TypeContrat

from .conftest import brouillon

CRISPY = "{% load crispy_forms_tags %}{% crispy form %}"  # compiled when used (tests/accounts/test_formulaires.py)


def formulaires(contrat):
    return [
        NouveauContratForm(types=[TypeContrat.CER, TypeContrat.CONTRAT_ENGAGEMENT]),
        BrouillonForm(instance=contrat),
        NouvelObjectifForm(prefix="objectif"),
        MotifForm(etiquette="motif de l'abandon"),
        MotifForm(etiquette="motif de l'abandon", en_ligne=True),
        RuptureForm(),
        DecisionForm(),
        AvenantForm(),
        FiltresContratsForm(referents=User.objects.none(), validateurs=User.objects.none()),
    ]


def test_etiquettes_au_dessus_en_phrase_et_zones_de_texte_dimensionnees(referent):
    contrat = brouillon(referent, type=TypeContrat.CONTRAT_ENGAGEMENT)
    for form in formulaires(contrat):
        html = Template(CRISPY).render(Context({"form": form}))
        for nom, champ in form.fields.items():
            if champ.widget.is_hidden:
                continue
            assert champ.label and champ.label[0].isupper(), (type(form).__name__, nom, champ.label)
            if isinstance(champ.widget, forms.Textarea):
                assert int(champ.widget.attrs.get("rows", 10)) <= 6, (type(form).__name__, nom)
        # Labels above their fields (Bootstrap's form-label), never beside them in a grid.
        assert "form-label" in html and "col-form-label" not in html, type(form).__name__


def test_les_choix_et_aides_du_brouillon(referent):
    contrat = brouillon(referent, type=TypeContrat.CONTRAT_ENGAGEMENT)
    form = BrouillonForm(instance=contrat)
    assert re.match(r"En principe \d+ heures", form.fields["heures_activite_hebdo"].help_text)
    assert form.fields["engagements_personne"].help_text
    nouveau = NouveauContratForm(types=[TypeContrat.CER])
    assert nouveau.fields["type"].choices[0][1][0].isupper()


def test_les_filtres_gardent_les_sigles():
    form = FiltresContratsForm(referents=None, validateurs=User.objects.none())
    choix = dict(form.fields["type"].choices)
    assert "(COM)" in choix[TypeContrat.COM] and "ASLL" in choix[TypeContrat.PLAN_ASLL]
    assert "referent" not in form.fields  # a référent's own list: no référent filter
