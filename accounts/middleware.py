"""What a logged-in session must satisfy on every page: its age, and its second factor."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .deux_facteurs import a_un_appareil_confirme

SESSION_OUVERTE_LE = "session_ouverte_le"

# The pages a user reaches between the password and the second factor.
PAGES_AVANT_DEUXIEME_FACTEUR = frozenset(
    {"logout", "deux_facteurs_verifier", "deux_facteurs_enroler", "deux_facteurs_codes"}
)


def noter_ouverture_de_session(sender, request, user, **kwargs):
    """user_logged_in: the moment the session's maximum duration counts from."""
    request.session[SESSION_OUVERTE_LE] = int(time.time())


class DureeMaximaleDeSessionMiddleware:
    """A session ends SESSION_DUREE_MAXIMALE seconds after the login, however active (the idle
    timeout is Django's SESSION_COOKIE_AGE, renewed at each request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            ouverte_le = request.session.setdefault(SESSION_OUVERTE_LE, int(time.time()))
            if time.time() - ouverte_le > settings.SESSION_DUREE_MAXIMALE:
                logout(request)
                messages.info(request, "Votre session a expiré : reconnectez-vous.")
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class DeuxFacteursMiddleware:
    """With DEUX_FACTEURS_OBLIGATOIRE, a user whose roles require it reaches no page but
    the second factor's until the login is confirmed: enrolment when they have no device yet,
    otherwise the code (from the application, or a recovery code)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (
            not settings.DEUX_FACTEURS_OBLIGATOIRE
            or not user.is_authenticated
            or user.is_verified()
            or not user.doit_confirmer_deux_facteurs
            or request.resolver_match.url_name in PAGES_AVANT_DEUXIEME_FACTEUR
        ):
            return None
        page = "deux_facteurs_verifier" if a_un_appareil_confirme(user) else "deux_facteurs_enroler"
        return redirect_to_login(request.get_full_path(), login_url=reverse(page))
