"""The list pages of the execution (parcours, collective modules, host companies) stay fast as
the data grows: each renders with the same number of SQL queries whether it lists a handful of
records or a page of 50 out of 2 000, for the DEL, a prestataire's direction and its chargé
d'insertion (issue requirement: "A list of 2 000 parcours renders with a constant number of SQL
queries (asserted)").

Each test counts the queries of every page on the demo data plus a few records, so that no
measured page is empty (an empty page skips its SELECT), then bulk-creates a large volume and
counts again: a relation read row by row (N+1) would add up to 50 queries to a page."""

import re
from collections import Counter
from datetime import date, timedelta
from itertools import cycle
from typing import NamedTuple

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bons_de_commande.models import BonDeCommande
from prestataires.enums import EtatParcours, ObjetStage, TypeFin
from prestataires.models import Entreprise, ModuleCollectif, Parcours, Stage
from procurement.models import (
    Commune,
    Lot,
    Prestataire,
    TypeSortie,
)
from tests.factories import lignes_commandees, parcours_de_la_ligne

PAR_PAGE = 50
# The DEL reads everything, ALPHA's direction all ALPHA's records, its chargé d'insertion
# alpha2 only the parcours assigned to them; BETA's direction none of ALPHA's.
LECTEURS = ("gestionnaire1", "alpha1", "alpha2", "beta1")
# Those have more than one page once the data has grown.
PAGINES = ("gestionnaire1", "alpha1", "alpha2")


# --- Counting queries -----------------------------------------------------------------------


class Mesure(NamedTuple):
    requetes: int
    reponse: HttpResponse
    sql: list[str]


def mesurer(client, demo, urls, lecteurs=LECTEURS) -> dict[tuple[str, str], Mesure]:
    """Each page as each reader sees it, and the SQL queries it took to render it."""
    mesures = {}
    for username in lecteurs:
        client.force_login(demo[username])
        for url in urls:
            client.get(url)  # warm the process-wide caches (content types...), unmeasured
            with CaptureQueriesContext(connection) as requetes:
                reponse = client.get(url)
            assert reponse.status_code == 200, (username, url, reponse.status_code)
            sql = [requete["sql"] for requete in requetes.captured_queries]
            mesures[username, url] = Mesure(len(sql), reponse, sql)
    return mesures


def _forme(sql: str) -> str:
    """A query without its values: the same query for another row has the same form."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


def ecarts(avant, apres, page_de_reference=None):
    """The pages whose query count changed with the data, as {(reader, url): (before, after,
    the queries that appeared)}, which name the relation read row by row. A page that did not
    exist before is held to the count of `page_de_reference[url]`."""
    differences = {}
    for (username, url), mesure in apres.items():
        reference = avant[username, (page_de_reference or {}).get(url, url)]
        if mesure.requetes != reference.requetes:
            apparues = Counter(map(_forme, mesure.sql)) - Counter(map(_forme, reference.sql))
            differences[username, url] = (reference.requetes, mesure.requetes, dict(apparues))
    return differences


def afficher(avant, apres, page_de_reference=None):
    """The counts, shown with `pytest -s`."""
    for (username, url), mesure in sorted(apres.items()):
        reference = avant[username, (page_de_reference or {}).get(url, url)]
        print(f"{username:14} {url:28} {reference.requetes:3} -> {mesure.requetes:3} requêtes")


def lignes(reponse) -> int:
    """The rows of the page's table body, as rendered."""
    corps = reponse.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return corps.count("<tr>") - corps.count('class="del-empty"')


def visibles(reponse) -> int:
    return reponse.context["paginator"].count


# --- Bulk data ------------------------------------------------------------------------------


def creer_parcours(demo, nombre, premier=0):
    """`nombre` ALPHA parcours on the demo order of ALPHA, bulk-created with their demandeur,
    prescription and order line: in turn waiting for entry, running, and ended with a
    situation at exit; every other one assigned to alpha2."""
    bon = BonDeCommande.objects.get(lignes__prescription__demandeur__nom="KAOUMA")
    alpha = Prestataire.objects.get(code="ALPHA")
    lot = Lot.objects.get(numero=1)
    conseiller, alpha2 = demo["conseiller1"], demo["alpha2"]
    sorties = cycle(TypeSortie.objects.all())
    rangs = range(premier, premier + nombre)
    lignes_commande = lignes_commandees(
        rangs, bon=bon, prestataire=alpha, lot=lot, conseiller=conseiller, duree_mois=6
    )

    entree = date(2026, 11, 16)
    etats = (EtatParcours.ATTENTE_ENTREE, EtatParcours.EN_COURS, EtatParcours.TERMINE)
    parcours = []
    for rang, ligne in zip(rangs, lignes_commande, strict=True):
        etat = etats[rang % 3]
        suivi = {}
        if etat != EtatParcours.ATTENTE_ENTREE:
            suivi = {"date_entree": entree, "fin_prevue": entree + timedelta(days=180)}
        if etat == EtatParcours.TERMINE:
            suivi |= {
                "date_sortie": entree + timedelta(days=120),
                "type_fin": TypeFin.ANTICIPEE,
                "type_sortie": next(sorties),
            }
        parcours.append(
            parcours_de_la_ligne(
                ligne, etat=etat, charge=alpha2 if rang % 2 == 0 else None, **suivi
            )
        )
    return Parcours.objects.bulk_create(parcours)


def creer_modules(demo, parcours, alpha, beta, premier=0):
    """`alpha` ALPHA modules of (up to) 10 participants each, and `beta` BETA modules."""
    prestataires = Prestataire.objects.in_bulk(["ALPHA", "BETA"], field_name="code")
    debut = date(2027, 1, 4)
    modules = ModuleCollectif.objects.bulk_create(
        ModuleCollectif(
            prestataire=prestataires["ALPHA" if i < alpha else "BETA"],
            intitule=f"Atelier n° {premier + i}",
            debut=debut + timedelta(days=premier + i),
            fin=debut + timedelta(days=premier + i + 14),
            cree_par=demo["alpha1" if i < alpha else "beta1"],
        )
        for i in range(alpha + beta)
    )
    Inscription = ModuleCollectif.participants.through
    Inscription.objects.bulk_create(
        Inscription(modulecollectif=module, parcours=parcours[(i * 10 + j) % len(parcours)])
        for i, module in enumerate(modules[:alpha])
        for j in range(min(10, len(parcours)))
    )


def creer_entreprises(demo, parcours, alpha, beta, premier=0):
    """`alpha` ALPHA host companies with 2 stages each, and `beta` BETA companies."""
    prestataires = Prestataire.objects.in_bulk(["ALPHA", "BETA"], field_name="code")
    communes = cycle(Commune.objects.all())
    entreprises = Entreprise.objects.bulk_create(
        Entreprise(
            prestataire=prestataires["ALPHA" if i < alpha else "BETA"],
            raison_sociale=f"Entreprise {premier + i:03d}",
            ridet=f"{3000000 + premier + i}.001",
            secteur="Commerce" if i % 2 else "",
            commune=next(communes) if i % 4 else None,
            contact_nom=f"Contact {premier + i}",
            contact_telephone="27 00 00" if i % 3 else "",
        )
        for i in range(alpha + beta)
    )
    debut = date(2027, 1, 4)
    Stage.objects.bulk_create(
        Stage(
            parcours=parcours[(i * 2 + j) % len(parcours)],
            entreprise=entreprise,
            objet=ObjetStage.DECOUVRIR,
            objectifs="Découvrir le métier",
            tuteur_nom="Tuteur",
            debut=debut,
            fin=debut + timedelta(days=11),
            heures_hebdo=35,
            activites_competences="Accueil de la clientèle",
            criteres_evaluation="Ponctualité",
            cree_par=demo["alpha1"],
        )
        for i, entreprise in enumerate(entreprises[:alpha])
        for j in range(2)
    )


# --- The stories ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_liste_des_parcours_requetes_constantes_avec_2000_parcours(client, demo):
    liste = reverse("parcours:index")
    page_3, en_cours = f"{liste}?page=3", f"{liste}?etat={EtatParcours.EN_COURS}"
    creer_parcours(demo, 6)
    avant = mesurer(client, demo, [liste, en_cours])
    assert all(lignes(avant[u, liste].reponse) for u in PAGINES)
    assert all(lignes(avant[u, en_cours].reponse) for u in PAGINES)

    assert len(creer_parcours(demo, 2000, premier=6)) == 2000
    apres = mesurer(client, demo, [liste, en_cours])
    apres |= mesurer(client, demo, [page_3], lecteurs=PAGINES)

    afficher(avant, apres, {page_3: liste})
    assert ecarts(avant, apres, {page_3: liste}) == {}, "N+1 sur la liste des parcours"

    # Each reader sees what they may see, 50 rows a page.
    alpha = Parcours.objects.filter(prestataire__code="ALPHA")
    assert {u: visibles(apres[u, liste].reponse) for u in LECTEURS} == {
        "gestionnaire1": Parcours.objects.count(),
        "alpha1": alpha.count(),
        "alpha2": alpha.filter(charge=demo["alpha2"]).count(),
        "beta1": 0,
    }
    assert visibles(apres["alpha2", liste].reponse) >= 1000
    for username in PAGINES:
        for url in (liste, page_3, en_cours):
            assert lignes(apres[username, url].reponse) == PAR_PAGE, (username, url)
        assert apres[username, page_3].reponse.context["page_obj"].number == 3
        assert "Page 3 sur" in apres[username, page_3].reponse.content.decode()
    charges = {p.charge for p in apres["alpha2", page_3].reponse.context["object_list"]}
    assert charges == {demo["alpha2"]}
    filtres = apres["gestionnaire1", en_cours].reponse.context["object_list"]
    assert {p.etat for p in filtres} == {EtatParcours.EN_COURS}


def liste_partagee_requetes_constantes(client, demo, nom, creer, modele, deja_a_alpha):
    """A list of ALPHA's shared records (modules, companies): 3 more, then 70 more (60 of
    ALPHA, 10 of BETA); the same queries for every reader, and each sees its own, 50 a page."""
    liste = reverse(f"{nom}:index")
    page_2 = f"{liste}?page=2"
    creer(demo, creer_parcours(demo, 6), alpha=2, beta=1)
    avant = mesurer(client, demo, [liste])
    assert all(lignes(mesure.reponse) for mesure in avant.values())

    creer(demo, creer_parcours(demo, 600, premier=6), alpha=60, beta=10, premier=3)
    apres = mesurer(client, demo, [liste]) | mesurer(client, demo, [page_2], lecteurs=PAGINES)

    afficher(avant, apres, {page_2: liste})
    assert ecarts(avant, apres, {page_2: liste}) == {}, f"N+1 sur la liste « {nom} »"

    alpha = modele.objects.filter(prestataire__code="ALPHA").count()
    assert alpha == deja_a_alpha + 2 + 60
    assert {u: visibles(apres[u, liste].reponse) for u in LECTEURS} == {
        "gestionnaire1": alpha + 11,
        "alpha1": alpha,
        "alpha2": alpha,
        "beta1": 11,
    }
    for username in PAGINES:
        assert lignes(apres[username, liste].reponse) == PAR_PAGE, username
        assert lignes(apres[username, page_2].reponse) == alpha - PAR_PAGE + (
            11 if username == "gestionnaire1" else 0
        )
    return apres["alpha1", liste].reponse


@pytest.mark.django_db
def test_liste_des_modules_collectifs_requetes_constantes_avec_60_modules(client, demo):
    reponse = liste_partagee_requetes_constantes(
        client, demo, "modules", creer_modules, ModuleCollectif, deja_a_alpha=1
    )
    # Each module shows its participants counted by the database, not row by row.
    module = reponse.context["object_list"][0]
    assert module.nombre == module.participants.count() == 10


@pytest.mark.django_db
def test_liste_des_entreprises_d_accueil_requetes_constantes_avec_60_entreprises(client, demo):
    reponse = liste_partagee_requetes_constantes(
        client, demo, "entreprises", creer_entreprises, Entreprise, deja_a_alpha=2
    )
    # Each company shows its stages counted by the database, not row by row.
    stages = {e.raison_sociale: e.nombre_stages for e in reponse.context["page_obj"]}
    assert stages["Entreprise 003"] == 2
    assert (
        stages["Boulangerie du Quartier Latin"]
        == Stage.objects.filter(entreprise__raison_sociale="Boulangerie du Quartier Latin").count()
    )
