"""Stipend stories: the demo data seeded on 24/11/2026, and stagiaires placed at any dates;
for the isolation stories, ALPHA's October état beside BETA's."""

from datetime import date
from decimal import Decimal
from itertools import count
from types import SimpleNamespace

import pytest
from django.db import transaction

from accounts.models import User
from bons_de_commande.enums import EtatLigne
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.enums import EtatParcours
from prestataires.models import Parcours, Suspension
from procurement.calendrier import ajouter_mois
from procurement.enums import EtatPrescription
from procurement.models import (
    Commune,
    Demandeur,
    Lot,
    NiveauFormation,
    Prescription,
    Prestataire,
    TauxSMG,
    cle_doublon,
)
from remunerations import calcul, services
from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration
from tests.prestataires.conftest import NOUMEA, a, poster, refuse  # noqa: F401

# In the demo (tests/conftest.py), ALPHA's August and September are reconciled, October is
# declared (OUNEMOA paid 1 000 F short) and waits to be submitted.
# SMG in force from 1 June 2025 (docs/domaine.md): 991,73 F/h, 167 602 F a month.
SMG_HORAIRE, SMG_MENSUEL = Decimal("991.73"), 167602

_rangs = count()


def placer_stagiaire(
    code: str,
    entree: date,
    *,
    duree_mois: int = 7,
    fin_prevue: date | None = None,
    sortie: date | None = None,
    suspensions=(),
    lot: int = 1,
    nom: str | None = None,
) -> Parcours:
    """A parcours of prestataire `code` entered on `entree`, written straight to the database
    (the stipend reads only its dates): planned end `fin_prevue` (default: 6 months later),
    exit `sortie`, and suspensions as (start, resumption or None) pairs. Needs the demo data
    (an order of ALPHA to hang the line on)."""
    rang = next(_rangs)
    prestataire = Prestataire.objects.get(code=code)
    nom = nom or f"STAGIAIRE{rang:03d}"
    conseiller = User.objects.get(username="conseiller1")
    demandeur = Demandeur.objects.create(
        nom=nom,
        prenom="Camille",
        cle_doublon=cle_doublon(nom, "Camille"),
        date_naissance=date(1990, 1, 1),
        genre="F",
        niveau_formation=NiveauFormation.objects.get(code="bac"),
        commune=Commune.objects.get(code="noumea"),
        situation_logement="autonome",
        cree_par=conseiller,
    )
    prescription = Prescription.objects.create(
        demandeur=demandeur,
        lot=Lot.objects.get(numero=lot),
        prestataire=prestataire,
        conseiller=conseiller,
        motif="Accompagnement vers l'emploi",
        resultat_attendu="Un emploi durable",
        etat=EtatPrescription.COMMANDEE,
    )
    ligne = LigneCommande.objects.create(
        bon=BonDeCommande.objects.filter(prestataire__code="ALPHA").earliest("pk"),
        prescription=prescription,
        duree_mois=duree_mois,
        etat=EtatLigne.COMMANDEE,
    )
    etat = EtatParcours.EN_COURS
    if sortie:
        etat = EtatParcours.TERMINE
    elif suspensions and suspensions[-1][1] is None:
        etat = EtatParcours.SUSPENDU
    parcours = Parcours.objects.create(
        ligne=ligne,
        prestataire=prestataire,
        demandeur=demandeur,
        lot=Lot.objects.get(numero=lot),
        duree_mois=duree_mois,
        etat=etat,
        date_premier_contact=entree,
        date_entree=entree,
        fin_prevue=fin_prevue or ajouter_mois(entree, 6),
        date_sortie=sortie,
    )  # fmt: skip
    alpha1 = User.objects.get(username="alpha1")
    for debut, reprise in suspensions:
        Suspension.objects.create(parcours=parcours, debut=debut, fin=reprise, motif="sante",
                                  par=alpha1)  # fmt: skip
    return parcours


@pytest.fixture
def smg_2025(db):
    """The SMG table of docs/domaine.md is seeded by the migrations; this returns the two rates
    around 1 June 2025."""
    return TauxSMG.objects.get(date_effet=date(2024, 8, 1)), TauxSMG.objects.get(
        date_effet=date(2025, 6, 1)
    )


def declarer_le_du(etat, direction, ecart=0):
    """The direction declares every line of the état: absence hours as they stand, each paid
    what is due plus `ecart`, and a CAFAT cover on the month's own lines."""
    etat.refresh_from_db()
    declarations = {}
    for ligne in calcul.releve(etat).lignes:
        valeurs = {
            "absences_heures": ligne.absences_heures,
            "montant_declare": ligne.montant_du + ecart,
        }
        if not ligne.ajustement:
            valeurs["cafat_declaree"] = round(ligne.montant_du * Decimal("0.0645"))
        declarations[services.cle(ligne)] = valeurs
    with transaction.atomic():
        services.declarer(etat, par=direction, version=etat.version, declarations=declarations)
    etat.refresh_from_db()
    return etat


# --- The isolation stories: ALPHA's October état and BETA's ------------------------------------

# The day the pages are read and the actions sent.
JOUR = "2026-11-24"
OCTOBRE = date(2026, 10, 1)
# ALPHA's stagiaires of the demo, paid from August 2026.
STAGIAIRES_D_ALPHA = ("WAIA", "OUNEMOA", "GOPOEA")
# BETA's stagiaire, entered on 5 October 2026.
STAGIAIRE_DE_BETA = "SIWENE"


@pytest.fixture
def alpha(demo):
    """ALPHA's October état (declared, not submitted) and its stagiaires."""
    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=OCTOBRE)
    assert etat.etat == EtatDeclaration.BROUILLON
    parcours = Parcours.objects.filter(
        prestataire__code="ALPHA", demandeur__nom__in=STAGIAIRES_D_ALPHA
    )
    assert parcours.count() == 3
    return SimpleNamespace(etat=etat, parcours={p.demandeur.nom: p for p in parcours})


@pytest.fixture
def beta(demo):
    """BETA's stagiaire entered on 5 October 2026, and BETA's October état opened for it."""
    with a(JOUR):
        parcours = placer_stagiaire("BETA", date(2026, 10, 5), nom=STAGIAIRE_DE_BETA)
        etat = services.ouvrir_etat(Prestataire.objects.get(code="BETA"), OCTOBRE)
    assert etat.prestataire.code == "BETA"
    assert [ligne.nom for ligne in calcul.releve(etat).lignes] == [STAGIAIRE_DE_BETA]
    return SimpleNamespace(etat=etat, parcours=parcours, reference=reference(parcours))


def reference(parcours) -> str:
    return calcul.calculer(parcours, OCTOBRE, Decimal(0)).reference
