"""The pages around the login: the lockout of django-axes, and the second factor."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from . import deux_facteurs

SESSION_CODES_DE_SECOURS = "codes_de_secours_a_montrer"


def connexion_bloquee(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, the username kept, with the reason. Nothing
    else is checked: the password is not even compared while the lockout lasts."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    identifiant = (credentials or {}).get("username") or request.POST.get("username", "")
    formulaire = AuthenticationForm(request, initial={"username": identifiant})
    message = (
        f"Trop d'échecs de connexion pour l'identifiant « {identifiant} » depuis cette adresse : "
        f"la connexion est bloquée pendant {minutes} minutes (chaque nouvel essai relance ce "
        "délai). Réessayez plus tard, ou demandez à l'administrateur de la DEL de la débloquer."
    )
    contexte = {"form": formulaire, "erreur_connexion": message}
    return render(
        request, "registration/login.html", contexte, status=settings.AXES_HTTP_RESPONSE_CODE
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="Les 6 chiffres affichés par votre application, ou un code de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _suite(request):
    suite = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(suite, {request.get_host()}, request.is_secure()):
        return suite
    return settings.LOGIN_REDIRECT_URL


@require_http_methods(["GET", "POST"])
def verifier(request):
    """The second step of the login, for a user who has a second factor."""
    if request.user.is_verified():
        return redirect(_suite(request))
    if not deux_facteurs.a_un_appareil_confirme(request.user):
        return redirect("deux_facteurs_enroler")
    formulaire = CodeForm(request.POST or None)
    if formulaire.is_valid():
        if deux_facteurs.verifier_code(request, formulaire.cleaned_data["code"]):
            return redirect(_suite(request))
        formulaire.add_error(
            "code",
            "Code incorrect ou expiré. Saisissez le code affiché maintenant par votre "
            "application (ou un code de secours non utilisé).",
        )
    return render(request, "registration/deux_facteurs_verifier.html", {"form": formulaire})


@require_http_methods(["GET", "POST"])
def enroler(request):
    """Enrol an authenticator application: scan the QR code (or type the key), then confirm
    with its first code. Someone who only knows the password of a user already enrolled must
    not enrol a phone of their own: they give the current second factor first."""
    if deux_facteurs.a_un_appareil_confirme(request.user) and not request.user.is_verified():
        return redirect("deux_facteurs_verifier")
    appareil = deux_facteurs.appareil_a_enroler(request.user)
    formulaire = CodeForm(request.POST or None)
    formulaire.fields["code"].help_text = "Les 6 chiffres affichés par votre application."
    if formulaire.is_valid():
        codes = deux_facteurs.confirmer_enrolement(
            request, appareil, formulaire.cleaned_data["code"]
        )
        if codes is not None:
            request.session[SESSION_CODES_DE_SECOURS] = codes
            return redirect("deux_facteurs_codes")
        formulaire.add_error(
            "code",
            "Code incorrect : vérifiez que l'heure du téléphone est juste et saisissez le code "
            "affiché maintenant.",
        )
    contexte = {
        "form": formulaire,
        "qr_code": deux_facteurs.qr_code_svg(appareil),
        "cle": deux_facteurs.cle_en_base32(appareil),
    }
    return render(request, "registration/deux_facteurs_enroler.html", contexte)


def codes_de_secours(request):
    """The recovery codes, shown once, right after the enrolment."""
    codes = request.session.pop(SESSION_CODES_DE_SECOURS, None)
    if not codes:
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/deux_facteurs_codes.html", {"codes": codes})
