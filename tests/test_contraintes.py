"""Every constraint of the project's models speaks French when a form hits it (issue 18,
item 4): without its own violation_error_message, Django tells the user "La contrainte
« nom_technique » n'est pas respectée"."""

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.forms import modelform_factory

from procurement.models import AttributionLot, Lot

from .factories import PrestataireFactory

RACINE = Path(settings.BASE_DIR).resolve()


def contraintes_du_projet():
    """(model, constraint) for every model of an app of this project (not of a library)."""
    for config in apps.get_app_configs():
        chemin = Path(config.path).resolve()
        if RACINE not in chemin.parents or ".venv" in chemin.parts:
            continue
        for modele in config.get_models():
            for contrainte in modele._meta.constraints:
                yield modele, contrainte


def test_les_contraintes_du_projet_sont_trouvees():
    noms = {contrainte.name for _, contrainte in contraintes_du_projet()}
    assert {"stage_fin_apres_debut", "demandeur_identite_unique", "etat_un_par_mois"} <= noms
    assert "priority_range" not in noms  # django-tasks' own table


@pytest.mark.parametrize(
    ("modele", "contrainte"),
    list(contraintes_du_projet()),
    ids=lambda valeur: getattr(valeur, "name", None) or valeur.__name__,
)
def test_chaque_contrainte_a_son_message_en_francais(modele, contrainte):
    message = str(contrainte.violation_error_message)
    assert message != str(contrainte.default_violation_error_message), (
        f"{modele.__name__}: la contrainte {contrainte.name} n'a pas de message à elle"
    )
    assert contrainte.name not in message
    assert "%(" not in message
    assert message[0].isupper() and message.endswith(".")


# --- The forms that can hit one refuse at the field to correct --------------------------------


def _formulaire(modele, donnees):
    return modelform_factory(modele, fields="__all__")(data=donnees)


@pytest.mark.django_db
def test_des_durees_de_lot_en_desordre_sont_refusees_sur_le_champ_a_corriger():
    """The administrateur's lot form (admin) said "La contrainte « lot_durees_ordonnees » n'est
    pas respectée" above the form."""
    formulaire = _formulaire(
        Lot,
        {
            "numero": 9, "libelle": "Essai", "duree_min_mois": 3, "duree_defaut_mois": 2,
            "duree_max_mois": 1,
        },
    )  # fmt: skip
    assert not formulaire.is_valid()
    assert formulaire.errors == {
        "duree_defaut_mois": ["La durée par défaut est inférieure à la durée minimale."],
        "duree_max_mois": ["La durée maximale est inférieure à la durée par défaut."],
    }
    assert not _formulaire(
        Lot, {"numero": 9, "libelle": "Essai", "duree_min_mois": 0, "duree_defaut_mois": 2,
              "duree_max_mois": 4}
    ).is_valid()  # fmt: skip


@pytest.mark.django_db
def test_une_attribution_en_desordre_est_refusee_sur_le_champ_a_corriger():
    formulaire = _formulaire(
        AttributionLot,
        {
            "prestataire": PrestataireFactory().pk,
            "lot": Lot.objects.get(numero=1).pk,
            "reference_marche": "M-2027",
            "date_debut": "2027-01-01",
            "date_fin": "2026-12-31",
            "volume_annuel_min": 40,
            "volume_annuel_max": 30,
        },
    )
    assert not formulaire.is_valid()
    assert formulaire.errors == {
        "date_fin": ["La fin de l'attribution précède son début."],
        "volume_annuel_max": ["Le volume annuel maximal est inférieur au volume annuel minimal."],
    }
