"""Least knowledge: no document meant for a host company shows health, disability, addiction
or justice details (docs/domaine.md, "Stage en entreprise and personal data")."""

from datetime import date

import pytest
from django.urls import reverse

from prestataires import services, stages
from prestataires.models import Entreprise
from procurement.models import Frein
from tests.bons_de_commande.conftest import texte_pdf

from .conftest import a

pytestmark = pytest.mark.django_db


@pytest.mark.pdf
def test_la_convention_de_stage_ne_montre_aucune_donnee_sensible(client, demo, parcours_lot2):
    """LEROUX is recognised by the CRHD, ordered on lot 2 (disability), and her prescription
    names every sensitive frein; her convention, sent to the company, shows none of it."""
    gamma = demo["gamma1"]
    prescription = parcours_lot2.ligne.prescription
    prescription.freins.add(*Frein.objects.filter(sensible=True))
    prescription.motif = "Suivi psychiatrique ; sortie de détention"
    prescription.save(update_fields=["motif"])
    entreprise = Entreprise.objects.create(
        prestataire=parcours_lot2.prestataire, raison_sociale="Pépinière du Sud",
        ridet="0777777.001", contact_nom="Mme Wayenece",
    )  # fmt: skip
    with a("2026-11-20"):
        services.entrer(parcours_lot2, par=gamma, date_premier_contact=date(2026, 11, 20),
                    date_entree=date(2026, 11, 20))  # fmt: skip
        stage = stages.preparer_stage(
            parcours_lot2, par=gamma, entreprise=entreprise, objet="decouvrir",
            objectifs="Découvrir l'entretien des espaces verts", tuteur_nom="M. Hnautra",
            debut=date(2026, 12, 1), fin=date(2026, 12, 12), heures_hebdo=20,
            activites_competences="Arrosage, rempotage", criteres_evaluation="Autonomie",
        )  # fmt: skip
    client.force_login(gamma)
    reponse = client.get(reverse("parcours:convention", args=[stage.pk]))
    assert reponse.status_code == 200
    texte = texte_pdf(reponse.getvalue()).lower()
    assert "leroux" in texte and "pépinière du sud" in texte
    interdits = [frein.libelle.lower() for frein in Frein.objects.filter(sensible=True)]
    interdits += ["handicap", "crhd", "lot 2", "lot", "santé", "justice", "addiction",
                  "psychiatrique", "détention", "frein", "motif"]  # fmt: skip
    for mot in interdits:
        assert mot not in texte, mot
