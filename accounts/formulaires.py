"""The one form style of the application. Every form takes `FormulaireMixin`: Bootstrap classes on its
widgets and a crispy `FormHelper`, so a template renders it with `{% crispy form %}` and nothing else.
The markup (labels, aria-describedby for help and errors, aria-invalid, required marks, the error summary)
is crispy-bootstrap5's, overridden in templates/bootstrap5/."""

from functools import cached_property

from crispy_forms.helper import FormHelper
from django import forms


def classe_bootstrap(widget):
    """Bootstrap's class for a widget; "" for a list of boxes (each box gets its class in field.html) and
    for a hidden input."""
    if widget.is_hidden:
        return ""
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return ""
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        return "form-select"
    return "form-control"


class FormulaireMixin:
    """Put it before the Django form class among the bases.

    `sans_note`: no « champs obligatoires » note (a short form inside a page).
    `sans_asterisque`: no asterisk on required fields either (the login form: everything is required).
    `etiquettes_masquees`: labels kept for screen readers only (a one-field form in a table row).
    `mise_en_page()`: a crispy Layout when the fields are not simply one under the other."""

    sans_note = False
    sans_asterisque = False
    etiquettes_masquees = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if css := classe_bootstrap(field.widget):
                field.widget.attrs.setdefault("class", css)

    def mise_en_page(self):
        return None

    @cached_property
    def helper(self):
        helper = FormHelper()
        # The template holds the <form> tag, its {% csrf_token %} and its buttons (htmx, data-brouillon…).
        helper.form_tag = False
        helper.disable_csrf = True
        helper.include_media = False
        helper.form_show_labels = not self.etiquettes_masquees
        helper.sans_note = self.sans_note or self.sans_asterisque
        helper.sans_asterisque = self.sans_asterisque
        if (layout := self.mise_en_page()) is not None:
            helper.layout = layout
            helper.render_hidden_fields = True  # the jeton and the version, even when the layout omits them
        return helper
