from django import forms

from .formulaires import FormulaireMixin


class CodeForm(FormulaireMixin, forms.Form):
    """The login's second step: a TOTP code or a recovery code (letters and digits, so the keyboard is a text
    one; a recovery code copied in capitals, with spaces or dashes, is still accepted)."""

    sans_note = True
    code = forms.CharField(
        label="Code",
        max_length=24,
        help_text="Les 6 chiffres affichés par votre application, ou un code de secours.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if not code.isalnum():
            raise forms.ValidationError("Le code ne contient que des chiffres et des lettres.")
        return code


class CodeEnrolementForm(CodeForm):
    """Enrolment is confirmed by the app's first code: digits only, a numeric keyboard on phones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        champ = self.fields["code"]
        champ.help_text = "Les 6 chiffres affichés par votre application."
        champ.widget.attrs["inputmode"] = "numeric"
