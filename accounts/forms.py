from django import forms

from .formulaires import FormulaireMixin


class CodeForm(FormulaireMixin, forms.Form):
    sans_note = True
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="Les 6 chiffres affichés par votre application, ou un code de secours.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isalnum():
            raise forms.ValidationError("Le code ne contient que des chiffres et des lettres.")
        return code
