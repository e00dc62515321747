from django.urls import reverse


def test_login_page_is_in_french_and_names_the_product(client, db):
    response = client.get(reverse("login"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Connexion" in page and "Mot de passe" in page
    assert "Parcours d'insertion : DEL, province Sud" in page


def test_a_user_logs_in_and_lands_on_their_home_page(client, demo):
    response = client.post(
        reverse("login"), {"username": "conseiller1", "password": "demo-parcours-2026"}, follow=True
    )
    assert response.request["PATH_INFO"] == reverse("accueil:index")
    assert "Bonjour Claire" in response.content.decode()
