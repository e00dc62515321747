"""Stipend stories: the demo data seeded on 24/11/2026, and stagiaires placed at any dates."""

from datetime import date
from decimal import Decimal
from itertools import count

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
from tests.prestataires.conftest import NOUMEA, a, poster, refuse  # noqa: F401

# In the demo (tests/conftest.py), ALPHA's August and September are reconciled, October is
# declared (OUNEMOA paid 1 000 F short) and waits to be submitted.
# SMG in force from 1 June 2025 (docs/domaine.md): 991,73 F/h, 167 602 F a month.
SMG_HORAIRE, SMG_MENSUEL = Decimal("991.73"), 167602

_rangs = count()


@pytest.fixture(autouse=True)
def _sessions_longues(settings):
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600


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
