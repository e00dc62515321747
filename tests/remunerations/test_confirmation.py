"""Accepting an état is irreversible: finance confirms once, told what will happen (issue 18,
item 3). A gap between paid and due is said on the page before the état is submitted or
accepted, and the confirmation says it again (item 12). Asked to confirm, nothing changes
until the user does."""

from datetime import date

import pytest
from django.contrib.messages import get_messages

from remunerations import services
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration

from .conftest import a, poster
from .test_etats import ligne_de, saisie

pytestmark = pytest.mark.django_db

JOUR = "2026-11-24"
OCTOBRE = date(2026, 10, 1)
# The demo's October: OUNEMOA was paid 1 000 F short.
ECART_DE_LA_DEMO = "1 ligne déclarée avec un écart, 1\u202f000\xa0F\xa0CFP versés en moins."


@pytest.fixture
def octobre(demo):
    return EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=OCTOBRE)


def demande_de_confirmation(client, url, **donnees) -> str:
    """POST without the confirmation: the page comes back with the panel, which posts the
    same fields again with confirme=1."""
    with a(JOUR):
        reponse = client.post(url, donnees)
    assert reponse.status_code == 400
    page = reponse.content.decode()
    assert reponse.context["confirmation_message"] in page.replace("&#x27;", "'")
    assert '<input type="hidden" name="confirme" value="1">' in page
    assert f'<input type="hidden" name="action" value="{donnees["action"]}">' in page
    assert ">Annuler</a>" in page
    return reponse.context["confirmation_message"]


def test_finance_confirms_once_what_accepting_does(demo, client, octobre):
    with a(JOUR):
        services.soumettre(octobre, par=demo["alpha1"])
    url = octobre.get_absolute_url()
    client.force_login(demo["finance1"])

    message = demande_de_confirmation(client, url, action="accepter")

    assert message.startswith(
        "Vous allez accepter cet état (octobre 2026, ALPHA) : le mois sera rapproché et figé."
    )
    assert "deviendra une ligne de régularisation sur le prochain état" in message
    assert f"Attention, écart entre le versé et le dû : {ECART_DE_LA_DEMO}" in message
    octobre.refresh_from_db()
    assert octobre.etat == EtatDeclaration.SOUMIS

    with a(JOUR):
        poster(client, url, action="accepter", confirme="1")
    octobre.refresh_from_db()
    assert octobre.etat == EtatDeclaration.ACCEPTE


def test_a_refused_acceptance_is_said_without_asking_to_confirm(demo, client, octobre):
    client.force_login(demo["finance1"])
    with a(JOUR):
        reponse = client.post(octobre.get_absolute_url(), {"action": "accepter"})
    assert reponse.status_code == 302
    erreurs = [m.message for m in get_messages(reponse.wsgi_request)]
    assert erreurs == ["Seul un état soumis s'accepte."]


def test_the_second_to_accept_reads_that_the_etat_is_already_accepted(demo, client, octobre):
    """Two finance users on the same page: the second is told what happened, not the rule."""
    with a(JOUR):
        services.soumettre(octobre, par=demo["alpha1"])
        services.accepter(octobre, par=demo["finance1"])
    client.force_login(demo["finance1"])
    with a(JOUR):
        reponse = client.post(octobre.get_absolute_url(), {"action": "accepter", "confirme": "1"})
    assert reponse.status_code == 302
    erreurs = [m.message for m in get_messages(reponse.wsgi_request)]
    assert erreurs == ["Cet état a déjà été accepté : le mois est rapproché."]


def test_submitting_with_a_gap_is_warned_then_confirmed_and_saved_only_then(demo, client, octobre):
    url = octobre.get_absolute_url()
    client.force_login(demo["alpha1"])
    with a(JOUR):
        page = client.get(url)
    assert page.context["avertissement_ecart"] == (
        f"Écart à vérifier avant de soumettre : {ECART_DE_LA_DEMO} Corrigez le montant versé "
        "s'il s'agit d'une erreur de saisie ; soumis tel quel, l'écart sera présenté à la "
        "finance."
    )
    assert "Voir les lignes avec un écart" in page.content.decode()

    # WAIA's amount retyped 500 F over: two gaps, whose net total hides neither.
    with a(JOUR):
        donnees = saisie(client, octobre, WAIA={"d": 81818 + 500})
    message = demande_de_confirmation(client, url, action="soumettre", **donnees)
    assert message == (
        "Vous allez soumettre cet état (octobre 2026) à la finance avec un écart entre le versé "
        "et le dû : 2 lignes déclarées avec un écart, 500\xa0F\xa0CFP versés en trop, "
        "1\u202f000\xa0F\xa0CFP versés en moins (écart net −500\xa0F\xa0CFP). "
        "Confirmez si ces montants sont bien ceux versés ; sinon, annulez et corrigez-les."
    )
    octobre.refresh_from_db()
    assert octobre.etat == EtatDeclaration.BROUILLON
    assert ligne_de(octobre, "WAIA").montant_declare == 81818, "nothing saved yet"

    with a(JOUR):
        poster(client, url, action="soumettre", confirme="1", **donnees)
    octobre.refresh_from_db()
    assert octobre.etat == EtatDeclaration.SOUMIS
    assert ligne_de(octobre, "WAIA").montant_declare == 81818 + 500


def test_submitting_what_is_due_asks_nothing(demo, client, octobre):
    client.force_login(demo["alpha1"])
    with a(JOUR):
        donnees = saisie(client, octobre, OUNEMOA={"d": 83801})
        poster(client, octobre.get_absolute_url(), action="soumettre", **donnees)
    octobre.refresh_from_db()
    assert octobre.etat == EtatDeclaration.SOUMIS


def test_a_submitted_or_reconciled_etat_says_its_gap(demo, client, octobre):
    with a(JOUR):
        services.soumettre(octobre, par=demo["alpha1"])
    client.force_login(demo["finance1"])
    with a(JOUR):
        soumis = client.get(octobre.get_absolute_url()).context["avertissement_ecart"]
        services.accepter(octobre, par=demo["finance1"])
        rapproche = client.get(octobre.get_absolute_url()).context["avertissement_ecart"]
    assert soumis.startswith(f"Soumis avec un écart : {ECART_DE_LA_DEMO} Accepté, le mois")
    assert rapproche == f"Rapproché avec un écart : {ECART_DE_LA_DEMO}"


def test_an_etat_paid_as_due_warns_of_nothing(demo, client):
    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=date(2026, 9, 1))
    client.force_login(demo["finance1"])
    with a(JOUR):
        assert client.get(etat.get_absolute_url()).context["avertissement_ecart"] == ""
