"""The stipend pages stay fast as the data grows: the list of états, the year's totals, the
month's files and an état's page render with the same number of SQL queries whether the
prestataires have 3 stagiaires or 30, with reconciled months, adjustments of late entries,
suspensions, exits and états of several months, for finance, the gestionnaire and each
prestataire's direction.

Each test measures every page on a first state where no page is empty (an empty page skips its
SELECT), bulk-creates ten times the stagiaires and more états, and measures again: a relation
read line by line (N+1) would add tens of queries."""

import io
from datetime import date, timedelta
from itertools import count, cycle

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import User
from bons_de_commande.models import BonDeCommande
from prestataires.enums import EtatParcours, TypeFin
from prestataires.models import Parcours, Suspension
from procurement.calendrier import ajouter_mois
from procurement.models import (
    Lot,
    Prestataire,
    TypeSortie,
)
from remunerations import calcul, services, stockage
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration
from tests.factories import lignes_commandees, parcours_de_la_ligne
from tests.prestataires.test_listes import afficher, ecarts, mesurer

from .conftest import a, declarer_le_du, placer_stagiaire

pytestmark = pytest.mark.django_db

JOUR = "2026-11-24"
SEPTEMBRE, OCTOBRE, NOVEMBRE = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
DEL = ("finance1", "gestionnaire1")
DIRECTIONS = ("alpha1", "beta1")

_rangs = count()


# --- Data -------------------------------------------------------------------------------------


def creer_stagiaires(code, nombre, entrees, *, lot=1):
    """`nombre` parcours of prestataire `code`, bulk-created with their demandeur, prescription
    and order line, entered in turn on each of `entrees`: one in four suspended from 12 to 19
    October, one in five ended early on 20 October."""
    prestataire = Prestataire.objects.get(code=code)
    lot = Lot.objects.get(numero=lot)
    bon = BonDeCommande.objects.filter(prestataire__code="ALPHA").earliest("pk")
    conseiller, alpha1 = (
        User.objects.get(username="conseiller1"),
        User.objects.get(username="alpha1"),
    )
    sorties = cycle(TypeSortie.objects.all())
    lignes = lignes_commandees(
        [next(_rangs) for _ in range(nombre)],
        bon=bon,
        prestataire=prestataire,
        lot=lot,
        conseiller=conseiller,
        duree_mois=7,
        nom=f"{code}VOLUME",
        ne_le=date(1985, 1, 1),
    )
    parcours = []
    for i, ligne in enumerate(lignes):
        entree = entrees[i % len(entrees)]
        sortie = {}
        if i % 5 == 4 and entree < date(2026, 10, 20):
            sortie = {
                "date_sortie": date(2026, 10, 20),
                "type_fin": TypeFin.ANTICIPEE,
                "type_sortie": next(sorties),
            }
        parcours.append(
            parcours_de_la_ligne(
                ligne,
                etat=EtatParcours.TERMINE if sortie else EtatParcours.EN_COURS,
                date_premier_contact=entree,
                date_entree=entree,
                fin_prevue=ajouter_mois(entree, 7) - timedelta(days=1),
                **sortie,
            )
        )
    parcours = Parcours.objects.bulk_create(parcours)
    Suspension.objects.bulk_create(
        Suspension(
            parcours=p, debut=date(2026, 10, 12), fin=date(2026, 10, 19), motif="sante", par=alpha1
        )  # fmt: skip
        for i, p in enumerate(parcours)
        if i % 4 == 3 and p.date_entree < date(2026, 10, 12) and not p.date_sortie
    )
    # Bulk writes send no signal: like the import, bring the stored stipends up to date.
    stockage.actualiser(prestataire_ids=[prestataire.pk])
    return parcours


def ouvrir(code, mois):
    return services.ouvrir_etat(Prestataire.objects.get(code=code), mois)


@pytest.fixture
def trois_prestataires(demo):
    """Each prestataire with its états of several months and 3 stagiaires or so:
    - ALPHA: the demo (August and September reconciled, October declared);
    - BETA: 3 stagiaires (one suspended in October), September reconciled, October declared and
      submitted to finance;
    - GAMMA (lot 2): one stagiaire entered in October, October opened."""
    beta1 = demo["beta1"]
    with a(JOUR, heure=8):
        placer_stagiaire("BETA", date(2026, 9, 7))
        placer_stagiaire("BETA", date(2026, 9, 14), suspensions=[(date(2026, 10, 12),
                                                                 date(2026, 10, 19))])  # fmt: skip
        septembre = ouvrir("BETA", SEPTEMBRE)
        services.soumettre(declarer_le_du(septembre, beta1), par=beta1)
        services.accepter(septembre, par=demo["finance1"])
        placer_stagiaire("BETA", date(2026, 10, 5))
        octobre = declarer_le_du(ouvrir("BETA", OCTOBRE), beta1, ecart=-100)
        services.soumettre(octobre, par=beta1)
        placer_stagiaire("GAMMA", date(2026, 10, 1), lot=2)
        ouvrir("GAMMA", OCTOBRE)
    etats = {
        code: EtatRemuneration.objects.get(prestataire__code=code, mois=OCTOBRE)
        for code in ("ALPHA", "BETA", "GAMMA")
    }
    assert [etats[code].etat for code in etats] == [
        EtatDeclaration.BROUILLON,
        EtatDeclaration.SOUMIS,
        EtatDeclaration.BROUILLON,
    ]
    return etats


def grandir(demo, etats):
    """Ten times the stagiaires: 27 more at ALPHA and at BETA (some entered late in months
    already reconciled, owed as adjustments on October), 9 more at GAMMA; every line of
    ALPHA's October declared; November opened for every prestataire."""
    creer_stagiaires("ALPHA", 27, [date(2026, 8, 17), date(2026, 9, 1), date(2026, 10, 6),
                                   date(2026, 11, 2)])  # fmt: skip
    creer_stagiaires("BETA", 27, [date(2026, 9, 21), date(2026, 10, 1), date(2026, 10, 15),
                                  date(2026, 11, 9)])  # fmt: skip
    creer_stagiaires("GAMMA", 9, [date(2026, 10, 1), date(2026, 11, 2)], lot=2)
    declarer_le_du(etats["ALPHA"], demo["alpha1"])
    for code in ("ALPHA", "BETA", "GAMMA"):
        ouvrir(code, NOVEMBRE)


# --- Measuring --------------------------------------------------------------------------------


def pages_communes():
    return [
        reverse("remunerations:index"),
        reverse("remunerations:synthese") + "?annee=2026",
        reverse("remunerations:export_mois", args=["2026-10", "xlsx"]),
        reverse("remunerations:export_mois", args=["2026-10", "pdf"]),
    ]


def tout_mesurer(client, demo, etats):
    """Every page as each reader sees it: the common pages, and each état the reader opens."""
    mesures = mesurer(client, demo, pages_communes(), lecteurs=DEL + DIRECTIONS)
    mesures |= mesurer(client, demo, [etats["ALPHA"].get_absolute_url()],
                       lecteurs=(*DEL, "alpha1"))  # fmt: skip
    mesures |= mesurer(client, demo, [etats["BETA"].get_absolute_url()],
                       lecteurs=(*DEL, "beta1"))  # fmt: skip
    return mesures


def lignes_du_classeur(reponse) -> int:
    classeur = openpyxl.load_workbook(io.BytesIO(reponse.getvalue()))
    return classeur["Lignes"].max_row - 1


# --- The story --------------------------------------------------------------------------------


def test_les_pages_de_la_remuneration_requetes_constantes_de_3_a_30_stagiaires(
    client, demo, trois_prestataires
):
    etats = trois_prestataires
    with a(JOUR, heure=10):
        avant = tout_mesurer(client, demo, etats)
    xlsx = pages_communes()[2]
    assert lignes_du_classeur(avant["finance1", xlsx].reponse) >= 7
    assert len(avant["alpha1", etats["ALPHA"].get_absolute_url()].reponse.context["releve"].lignes)

    with a(JOUR, heure=9):
        grandir(demo, etats)
    with a(JOUR, heure=10):
        apres = tout_mesurer(client, demo, etats)

    afficher(avant, apres)
    assert ecarts(avant, apres) == {}, "N+1 sur les pages de la rémunération"

    # The pages did grow: every line is there.
    releve_alpha = apres["alpha1", etats["ALPHA"].get_absolute_url()].reponse.context["releve"]
    assert len(releve_alpha.lignes_du_mois) >= 3 + 20
    assert len(releve_alpha.ajustements) >= 10, "the late entries are owed on October"
    assert releve_alpha.complet
    releve_beta = apres["finance1", etats["BETA"].get_absolute_url()].reponse.context["releve"]
    assert len(releve_beta.lignes) >= 3 + 20
    assert apres["finance1", etats["BETA"].get_absolute_url()].reponse.context["form_renvoi"]
    assert lignes_du_classeur(apres["finance1", xlsx].reponse) == sum(
        len(r.lignes)
        for r in calcul.releves(
            (p, OCTOBRE) for p in Prestataire.objects.filter(code__in=("ALPHA", "BETA", "GAMMA"))
        )
    )
    assert lignes_du_classeur(apres["finance1", xlsx].reponse) > 60
    liste = reverse("remunerations:index")
    # ALPHA: August to November; BETA: September to November; GAMMA: October and November.
    assert len(apres["finance1", liste].reponse.context["etats_page"]) == 4 + 3 + 2
    assert len(apres["beta1", liste].reponse.context["etats_page"]) == 3


def test_les_pages_de_la_del_requetes_constantes_avec_le_nombre_de_prestataires(client, demo):
    """From one prestataire with états (ALPHA: reconciled months, a suspension, an open
    October, so that every query is measured once) to three (BETA with a reconciled month,
    GAMMA): the DEL's list and totals read stored totals, the same queries; the month file
    reads stored lines, and computes only the months not opened yet (fewer queries once each
    prestataire opened October): no page takes more queries."""
    pages = [p for p in pages_communes() if not p.endswith(".pdf")]
    with a(JOUR, heure=10):
        avant = mesurer(client, demo, pages, lecteurs=DEL)
    with a(JOUR, heure=8):
        beta1 = demo["beta1"]
        placer_stagiaire("BETA", date(2026, 9, 7))
        septembre = ouvrir("BETA", SEPTEMBRE)
        services.soumettre(declarer_le_du(septembre, beta1), par=beta1)
        services.accepter(septembre, par=demo["finance1"])
        ouvrir("BETA", OCTOBRE)
        placer_stagiaire("GAMMA", date(2026, 10, 1), lot=2)
        ouvrir("GAMMA", OCTOBRE)
    with a(JOUR, heure=10):
        apres = mesurer(client, demo, pages, lecteurs=DEL)
    afficher(avant, apres)
    codes = {e.prestataire.code for e in apres["finance1", pages[0]].reponse.context["etats_page"]}
    assert codes == {"ALPHA", "BETA", "GAMMA"}
    plus = {page: ecart for page, ecart in ecarts(avant, apres).items() if ecart[1] > ecart[0]}
    assert plus == {}, "N+1 par prestataire"
