"""Every form renders through crispy-forms ({% crispy form %}, accounts/formulaires.py), with the accessible
markup of templates/bootstrap5/; no template renders a form field by hand."""

import importlib
import re
import uuid
from pathlib import Path

from crispy_forms.layout import Layout
from django import forms
from django.apps import apps
from django.conf import settings
from django.template import Context, Template

from accompagnement.forms import JetonMixin, VersionMixin
from accounts.formulaires import FormulaireMixin

CRISPY = "{% load crispy_forms_tags %}{% crispy form %}"


def rendre(form):
    # Compiled here, not at import: a Template built while pytest collects creates the template engine
    # before pytest-django adds its « undefined variable fails the test » option, and every test of the
    # worker then lost that check (tests/test_socle.py saw it, depending on the order).
    return Template(CRISPY).render(Context({"form": form}))


class FormulaireExemple(FormulaireMixin, forms.Form):
    nom = forms.CharField(label="Nom", help_text="Tel qu’écrit sur la pièce d’identité.")
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)

    def clean(self):
        raise forms.ValidationError("Erreur générale.")


def test_formulaire_erreurs_reliees_aux_champs():
    form = FormulaireExemple(data={"nom": ""})
    html = rendre(form)
    assert 'role="alert"' in html
    assert "Erreur générale." in html
    assert '<a href="#id_nom">Nom : Ce champ est obligatoire.</a>' in html
    assert 'aria-describedby="id_nom_helptext id_nom_error"' in html
    assert 'id="id_nom_error"' in html
    assert 'id="id_nom_helptext"' in html
    assert 'aria-invalid="true"' in html
    assert re.search(r'<label\s+for="id_nom"', html)


def test_formulaire_sans_erreur_n_a_pas_de_resume():
    html = rendre(FormulaireExemple())
    assert 'role="alert"' not in html
    assert "sont obligatoires" in html


class FormulaireAChoix(FormulaireMixin, forms.Form):
    presents = forms.MultipleChoiceField(
        label="Présents", choices=[("a", "Amina"), ("b", "Bruno")], widget=forms.CheckboxSelectMultiple
    )


def test_erreur_d_une_liste_de_cases_renvoie_a_sa_premiere_case():
    html = rendre(FormulaireAChoix(data={"presents": ["z"]}))
    assert re.search(r'<a href="#id_presents_0">Présents : ', html)
    assert 'id="id_presents_0"' in html


class FormulaireComplet(FormulaireMixin, forms.Form):
    accord = forms.BooleanField(label="J’accepte", help_text="Obligatoire pour continuer.")
    choix = forms.ChoiceField(label="Choix", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    liste = forms.ChoiceField(label="Liste", choices=[("x", "X")], widget=forms.Select(attrs={"class": "form-select"}))
    fige = forms.CharField(label="Figé", required=False, disabled=True)


def test_champs_en_bootstrap_accessibles():
    html = rendre(FormulaireComplet(data={"choix": "b"}))
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


class FormulaireCache(FormulaireMixin, VersionMixin, JetonMixin):
    nom = forms.CharField(label="Nom")


class FormulaireCacheMisEnPage(FormulaireCache):
    def mise_en_page(self):
        return Layout("nom")  # the hidden fields are not named: they are rendered all the same


def test_le_jeton_et_la_version_sont_rendus():
    for classe in (FormulaireCache, FormulaireCacheMisEnPage):
        html = rendre(classe(initial={"version": 7}))
        jeton = re.search(r'<input type="hidden" name="jeton" value="([0-9a-f-]{36})" id="id_jeton">', html)
        assert jeton and uuid.UUID(jeton.group(1)), classe
        assert '<input type="hidden" name="version" value="7" id="id_version">' in html, classe
        assert 'id="div_id_nom"' in html
        # The page holds the <form> tag and its csrf token: crispy adds neither.
        assert "<form" not in html and "csrfmiddlewaretoken" not in html


class FormulaireCourt(FormulaireMixin, forms.Form):
    sans_note = True
    motif = forms.CharField(label="Motif")


def test_un_formulaire_court_n_a_pas_la_note_mais_garde_ses_asterisques():
    html = rendre(FormulaireCourt())
    assert "sont obligatoires" not in html
    assert (
        '<label for="id_motif" class="form-label requiredField">Motif<span class="asteriskField">*</span></label>'
        in html
    )


def test_une_etiquette_masquee_reste_lue_par_les_lecteurs_d_ecran():
    form = FormulaireCourt()
    form.helper.form_show_labels = False
    assert re.search(r'<label for="id_motif" class="form-label requiredField visually-hidden">Motif<span', rendre(form))


def test_la_connexion_n_a_ni_note_ni_asterisque():
    from accounts.views import FormulaireConnexion

    html = rendre(FormulaireConnexion(data={"username": "x", "password": ""}))
    assert re.search(r'<label for="id_username" class="form-label requiredField">Identifiant</label>', html)
    assert "asteriskField" not in html and "sont obligatoires" not in html
    # The page says « identifiant ou mot de passe incorrect » once; no summary of the form's errors.
    assert "resume-erreurs" not in html
    assert 'id="id_password_error"' in html  # the empty password is still named next to its field


def _classes_de_formulaire():
    """Every Django form class of the application (its modules imported through the URLs)."""
    importlib.import_module(settings.ROOT_URLCONF)
    racine = Path(settings.BASE_DIR)
    applications = {a.name for a in apps.get_app_configs() if Path(a.path).parent == racine}
    vus, a_voir = set(), [forms.BaseForm]
    while a_voir:
        for classe in a_voir.pop().__subclasses__():
            if classe not in vus:
                vus.add(classe)
                a_voir.append(classe)
    return [
        c
        for c in vus
        if c.__module__.split(".")[0] in applications
        and not c.__name__.endswith("Mixin")  # JetonMixin, VersionMixin: parts of forms, never rendered alone
    ]


def test_chaque_formulaire_de_l_application_a_son_helper():
    classes = _classes_de_formulaire()
    assert {"EntretienForm", "BrouillonForm", "FormulaireConnexion", "DecisionForm"} <= {c.__name__ for c in classes}
    sans_helper = sorted(f"{c.__module__}.{c.__name__}" for c in classes if not issubclass(c, FormulaireMixin))
    assert sans_helper == []


# What a template that renders a form by hand looks like. A form is a variable named form, x_form or
# form_x (r.form_archivage, l.form), not graphiques.conformite.
FORM = r"(?:\w+\.)*(?:\w+_)?form(?:_\w+)?"
A_LA_MAIN = [
    # A field of a form printed or looked into: {{ form.nom }}, {{ form_cr.version }}, {{ form.nom.id_for_label }}.
    (re.compile(r"\{\{\s*" + FORM + r"\.\w+"), "un champ de formulaire écrit à la main"),
    # A loop over a form's fields: {% for field in form %}, {% for f in l.form.visible_fields %}.
    (re.compile(r"\{%\s*for\s+\w+\s+in\s+" + FORM + r"(\.\w+)?\s*%\}"), "une boucle sur les champs d'un formulaire"),
    # The hand-written field templates that crispy replaced.
    (re.compile(r"components/(champ|formulaire)\.html"), "l'ancien gabarit de champ"),
]
# A form that posts data: its inputs come from a Django form (hidden ones and buttons aside). The GET
# filters of the lists (file active, recherche, bilans) are query strings, not Django forms.
FORMULAIRE_POST = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
SAISIE = re.compile(r"<(textarea|select)\b|<input\b(?![^>]*type=\"hidden\")", re.I)


def rendus_a_la_main(texte):
    trouves = [message for motif, message in A_LA_MAIN if motif.search(texte)]
    if any(SAISIE.search(corps) for corps in FORMULAIRE_POST.findall(texte)):
        trouves.append("une saisie écrite à la main dans un formulaire envoyé en POST")
    return trouves


def test_la_detection_reconnait_un_formulaire_rendu_a_la_main():
    assert rendus_a_la_main('<label for="{{ form.nom.id_for_label }}">Nom</label>{{ form.nom }}')
    assert rendus_a_la_main("{% for field in l.form.visible_fields %}{{ field }}{% endfor %}")
    assert rendus_a_la_main('{% include "components/formulaire.html" with form=form %}')
    assert rendus_a_la_main('<form method="post">{% csrf_token %}<textarea name="motif"></textarea></form>')
    assert rendus_a_la_main('<form method="post"><input name="commentaire" class="form-control"></form>')
    assert not rendus_a_la_main('<form method="post">{% csrf_token %}{% crispy form %}<button>OK</button></form>')
    assert not rendus_a_la_main('<form method="post"><input type="hidden" name="version" value="3"></form>')
    assert not rendus_a_la_main('{% if form.errors %}<p role="alert">Erreur</p>{% endif %}')
    assert not rendus_a_la_main("{% for c in graphiques.conformite %}{{ c.date }}{% endfor %}")


# Written by hand on purpose, each with its reason.
A_LA_MAIN_VOULU = {
    # A comité pack has up to 300 cards: a bound crispy form per card cost about 2 ms each (0.6 s a page,
    # issue 18's goal is 300 ms). The fields keep DecisionForm's names; DecisionForm validates the POST.
    "pilotage/includes/decision.html",
}


def test_aucun_gabarit_ne_rend_un_formulaire_a_la_main():
    racine = Path(settings.BASE_DIR) / "templates"
    gabarits = [p for p in racine.rglob("*.html") if p.relative_to(racine).parts[0] != "bootstrap5"]
    assert len(gabarits) > 50
    fautes = {str(p.relative_to(racine)): trouves for p in gabarits if (trouves := rendus_a_la_main(p.read_text()))}
    # An exception that no longer writes its form by hand leaves the list.
    assert {nom for nom in A_LA_MAIN_VOULU if nom in fautes} == A_LA_MAIN_VOULU
    assert {nom: t for nom, t in fautes.items() if nom not in A_LA_MAIN_VOULU} == {}
