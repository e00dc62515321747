"""A user who forgot their password chooses a new one, on pages and in an e-mail that speak
French and carry the application's name and look (not Django's administration)."""

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def page_de_l_application(page, titre):
    html = page.content.decode()
    assert page.status_code == 200
    assert f"<title>{titre} · Parcours d'insertion DEL</title>" in html
    assert "Parcours d'insertion : DEL, province Sud" in html
    assert "vf-page-lockscreen" in html  # viewflow's login screen, as the login page
    assert "/static/theme.css" in html  # the application's colours (static/theme.css)
    assert "Django" not in html
    return html


def test_a_user_who_forgot_their_password_chooses_a_new_one_and_logs_in():
    UserFactory(username="claire", first_name="Claire", last_name="Wenceslas", email="c@del.nc")
    navigateur = Client(HTTP_HOST="localhost:8123")  # the address `make run` serves

    connexion = page_de_l_application(navigateur.get("/accounts/login/"), "Connexion")
    assert '<a href="/accounts/password_reset/" class="mdc-typography' in connexion
    assert ">Mot de passe oublié ?</a>" in connexion

    html = page_de_l_application(navigateur.get("/accounts/password_reset/"), "Mot de passe oublié")
    assert "Envoyer le lien" in html
    envoi = navigateur.post("/accounts/password_reset/", {"email": "c@del.nc"}, follow=True)
    html = page_de_l_application(envoi, "Courriel envoyé")
    assert "dossier des indésirables" in html

    (courriel,) = mail.outbox
    assert courriel.to == ["c@del.nc"]
    assert courriel.subject == "Parcours d'insertion DEL : choisir un nouveau mot de passe"
    assert courriel.body.startswith("Bonjour Claire Wenceslas,\n")
    assert courriel.body.endswith("votre mot de passe ne change pas.\n")
    assert "l'application Parcours d'insertion DEL" in courriel.body
    assert "Votre identifiant : claire" in courriel.body
    # The link leads back to the address the request was served on.
    lien = re.search(r"http://localhost:8123(/accounts/reset/\S+)", courriel.body).group(1)

    choix = navigateur.get(lien, follow=True)
    html = page_de_l_application(choix, "Nouveau mot de passe")
    # The password rules read as sentences (viewflow's fields show their help as text).
    assert "Votre mot de passe doit contenir au minimum 8 caractères." in html
    assert "&lt;li&gt;" not in html
    nouveau = {"new_password1": "Lagon-bleu-2026!", "new_password2": "Lagon-bleu-2026!"}
    fin = navigateur.post(choix.request["PATH_INFO"], nouveau, follow=True)
    html = page_de_l_application(fin, "Mot de passe enregistré")
    assert 'href="/accounts/login/">Se connecter</a>' in html

    # The link served once: opened again, it says so in French.
    html = page_de_l_application(navigateur.get(lien, follow=True), "Nouveau mot de passe")
    assert "Ce lien n'est plus valable" in html

    arrivee = navigateur.post(
        "/accounts/login/", {"username": "claire", "password": "Lagon-bleu-2026!"}, follow=True
    )
    assert arrivee.request["PATH_INFO"] == "/accueil/"


def test_changing_ones_password_keeps_the_applications_look(client):
    client.force_login(UserFactory())
    html = page_de_l_application(
        client.get("/accounts/password_change/"), "Changer de mot de passe"
    )
    assert "au minimum 8 caractères." in html and "&lt;li&gt;" not in html
    page_de_l_application(client.get("/accounts/password_change/done/"), "Mot de passe changé")
