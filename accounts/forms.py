"""The password forms of the login pages, shaped for viewflow's fields."""

from django.contrib.auth import forms, password_validation


class ReglesEnTexteMixin:
    """viewflow shows a field's help as plain text: the password rules as sentences, where
    Django gives an HTML list (it showed as `<ul><li>...`)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regles = password_validation.password_validators_help_texts()
        self.fields["new_password1"].help_text = " ".join(regles)


class NouveauMotDePasseForm(ReglesEnTexteMixin, forms.SetPasswordForm):
    pass


class ChangementDeMotDePasseForm(ReglesEnTexteMixin, forms.PasswordChangeForm):
    pass
