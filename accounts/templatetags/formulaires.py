"""The widget of a form field in Bootstrap's markup, for templates/components/champ.html."""

from django import template

register = template.Library()


@register.filter
def widget_bootstrap(champ):
    """The field's widget (its Bootstrap class comes from the form, accounts.formulaires.FormulaireMixin), with
    « is-invalid » when the field has errors. Django itself adds aria-invalid and an aria-describedby naming
    the help text and the errors."""
    if not champ.errors:
        return champ.as_widget()
    classe = champ.field.widget.attrs.get("class", "")
    return champ.as_widget(attrs={"class": f"{classe} is-invalid".strip()})
