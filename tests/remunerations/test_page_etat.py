"""An état with a hundred stagiaires and more stays practical: its lines come by pages of 50
with a search and a filter, the whole état's totals on every page, the declaration covers the
page shown without touching the others, and a save typed on an older version is refused.
The page's queries do not grow with the number of lines."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from remunerations.models import EtatRemuneration, LigneRemuneration
from remunerations.services import cle
from remunerations.views import LIGNES_PAR_PAGE

from .conftest import a, refuse
from .test_listes import creer_stagiaires

pytestmark = pytest.mark.django_db

JOUR = "2026-11-24"
OCTOBRE = date(2026, 10, 1)


@pytest.fixture
def octobre(demo):
    return EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=OCTOBRE)


def grandir(nombre):
    with a(JOUR, heure=8):
        creer_stagiaires("ALPHA", nombre, [date(2026, 10, 1), date(2026, 10, 13)])


def page(client, etat, **parametres):
    with a(JOUR):
        reponse = client.get(etat.get_absolute_url(), parametres)
    assert reponse.status_code == 200
    return reponse


def saisie(reponse, **valeurs):
    """The page's declaration form as shown, each amount paid retyped to `valeurs["d"]`."""
    form = reponse.context["form_declaration"]
    donnees = {nom: form[nom].value() for nom in form.fields}
    for ligne in form.lignes:
        for champ, valeur in valeurs.items():
            if f"{champ}_{cle(ligne)}" in donnees:
                donnees[f"{champ}_{cle(ligne)}"] = valeur
    return {nom: "" if valeur is None else valeur for nom, valeur in donnees.items()}


def test_lines_come_by_pages_with_the_whole_etats_totals(demo, client, octobre):
    grandir(60)
    octobre.refresh_from_db()
    assert octobre.nombre_lignes == 63
    client.force_login(demo["alpha1"])
    premiere = page(client, octobre)
    assert len(premiere.context["releve"].lignes) == LIGNES_PAR_PAGE
    assert len(premiere.context["form_declaration"].lignes) == LIGNES_PAR_PAGE
    seconde = page(client, octobre, page=2)
    assert len(seconde.context["releve"].lignes) == 63 - LIGNES_PAR_PAGE
    vues = [ligne.parcours.pk for r in (premiere, seconde) for ligne in r.context["releve"].lignes]
    assert len(set(vues)) == 63
    texte = seconde.content.decode()
    assert "Lignes 51 à 63 sur 63" in texte
    assert "Total de l'état (63 lignes)" in texte
    assert f"{octobre.lignes_completes} / 63" in texte
    assert len(texte) < 300_000


def test_lines_are_searched_by_name_first_name_or_reference_and_filtered(demo, client, octobre):
    grandir(12)
    client.force_login(demo["finance1"])
    waia = LigneRemuneration.objects.select_related("parcours__ligne__prescription").get(
        etat=octobre, parcours__demandeur__nom="WAIA", mois=OCTOBRE
    )
    for recherche in ("waia", waia.parcours.ligne.prescription.reference):
        lignes = page(client, octobre, q=recherche).context["releve"].lignes
        assert [ligne.nom for ligne in lignes] == ["WAIA"], recherche
    assert len(page(client, octobre, q="ALPHAVOLUME").context["releve"].lignes) == 12
    assert len(page(client, octobre, q="Camille").context["releve"].lignes) >= 12
    a_declarer = page(client, octobre, lignes="a_declarer").context["releve"].lignes
    assert len(a_declarer) == 12 and all(x.nom.startswith("ALPHAVOLUME") for x in a_declarer)
    vide = page(client, octobre, q="PERSONNE")
    assert "Aucune ligne ne correspond à cette recherche." in vide.content.decode()


def test_saving_a_page_keeps_the_other_pages_declarations(demo, client, octobre):
    grandir(60)
    version = octobre.version
    client.force_login(demo["alpha1"])
    seconde = page(client, octobre, page=2)
    with a(JOUR):
        reponse = client.post(
            octobre.get_absolute_url() + "?page=2",
            {"action": "declarer", **saisie(seconde, d=1000, c=60)},
        )
    assert reponse.status_code == 302 and reponse.url.endswith("?page=2")
    premiere = page(client, octobre)
    with a(JOUR):
        client.post(
            octobre.get_absolute_url(), {"action": "declarer", **saisie(premiere, d=2000, c=70)}
        )
    octobre.refresh_from_db()
    assert octobre.version == version + 2
    montants = {
        ligne.parcours_id: ligne.montant_declare
        for ligne in LigneRemuneration.objects.filter(etat=octobre)
    }
    deuxieme_page = {ligne.parcours.pk for ligne in seconde.context["releve"].lignes}
    assert {montants[pk] for pk in deuxieme_page} == {1000}
    assert {m for pk, m in montants.items() if pk not in deuxieme_page} == {2000}
    assert octobre.montant_declare == 13 * 1000 + 50 * 2000
    assert octobre.complet


def test_a_page_saved_on_an_older_version_is_refused_and_changes_nothing(demo, client, octobre):
    grandir(60)
    client.force_login(demo["alpha1"])
    premiere, seconde = page(client, octobre), page(client, octobre, page=2)
    with a(JOUR):
        client.post(octobre.get_absolute_url(), {"action": "declarer", **saisie(premiere, d=2000)})
        texte = refuse(
            client,
            octobre.get_absolute_url() + "?page=2",
            action="declarer",
            **saisie(seconde, d=1000),
        )
    assert "Quelqu&#x27;un a modifié cet état pendant votre saisie" in texte
    assert not LigneRemuneration.objects.filter(etat=octobre, montant_declare=1000).exists()
    assert LigneRemuneration.objects.filter(etat=octobre, montant_declare=2000).count() == 50


def requetes(client, user, etat, **parametres):
    client.force_login(user)
    page(client, etat, **parametres)  # the session and permissions read once
    with CaptureQueriesContext(connection) as capture:
        reponse = page(client, etat, **parametres)
    return len(capture), len(reponse.content)


def test_the_etat_page_takes_the_same_queries_for_n_or_2n_stagiaires(demo, client, octobre):
    lecteurs = [demo["alpha1"], demo["finance1"]]
    vues = [{}, {"page": 2}, {"q": "ALPHAVOLUME"}]
    grandir(55)
    avant = [requetes(client, u, octobre, **p)[0] for u in lecteurs for p in vues]
    grandir(110)
    apres = [requetes(client, u, octobre, **p) for u in lecteurs for p in vues]
    assert [nombre for nombre, _ in apres] == avant
    assert max(taille for _, taille in apres) < 300_000
