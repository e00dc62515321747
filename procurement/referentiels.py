"""The référentiels of the public contract, with the stable codes of docs/contrats.md §0.

Loaded by a data migration (every database has them) and kept editable in the admin:
loading again only adds what is missing, it never overwrites an administrator's label.
"""

from datetime import date
from decimal import Decimal

from django.apps import apps as registre

FREINS = [
    # code, libellé, sensible (never shown to a host company or an employer)
    ("mobilite", "Mobilité", False),
    ("logement", "Logement", False),
    ("sante", "Santé", True),
    ("handicap", "Handicap", True),
    ("garde_enfants", "Garde d'enfants", False),
    ("situation_administrative", "Situation administrative", False),
    ("francais_savoirs_base", "Maîtrise du français / savoirs de base", False),
    ("numerique", "Numérique", False),
    ("ressources_financieres", "Ressources financières", False),
    ("justice", "Justice", True),
    ("addictions", "Addictions", True),
    ("savoir_etre", "Confiance en soi / savoir-être", False),
    ("qualification", "Qualification", False),
    ("projet_non_defini", "Projet professionnel non défini", False),
]

NIVEAUX_FORMATION = [
    ("sans_diplome", "Sans diplôme"),
    ("cap_bep", "CAP / BEP"),
    ("bac", "Baccalauréat"),
    ("bac_2", "Bac+2"),
    ("bac_3_plus", "Bac+3 et plus"),
]

COMMUNES = [
    ("noumea", "Nouméa"),
    ("dumbea", "Dumbéa"),
    ("mont_dore", "Mont-Dore"),
    ("paita", "Païta"),
    ("boulouparis", "Boulouparis"),
    ("la_foa", "La Foa"),
    ("farino", "Farino"),
    ("sarramea", "Sarraméa"),
    ("moindou", "Moindou"),
    ("bourail", "Bourail"),
    ("poya", "Poya (partie sud)"),
    ("thio", "Thio"),
    ("yate", "Yaté"),
    ("ile_des_pins", "Île des Pins"),
]

TYPES_SORTIE = [
    # code, libellé, classe (CCTP: ED ⊂ SD ⊂ SP; "" = no positive exit)
    ("creation_entreprise", "Création d'entreprise", "ED"),
    ("armee", "Engagement dans l'armée", "ED"),
    ("cdd_plus_6_mois", "CDD de plus de 6 mois", "ED"),
    ("cdi", "CDI", "ED"),
    ("patente", "Patenté", "ED"),
    ("ppic", "PPIC", "ED"),
    ("cdd", "CDD de 6 mois ou moins", "SD"),
    ("interim", "Intérim", "SD"),
    ("mi_temps", "Emploi à mi-temps", "SD"),
    ("temps_partiel", "Temps partiel", "SD"),
    ("saisonnier", "Emploi saisonnier", "SD"),
    ("non_declare", "Emploi non déclaré", "SD"),
    ("contrat_aide", "Contrat aidé", "SD"),
    ("apprentissage", "Apprentissage", "SD"),
    ("formation_qualifiante", "Formation qualifiante", "SD"),
    ("formation_pre_qualifiante", "Formation pré-qualifiante", "SP"),
    ("retour_vie_tribale", "Retour en vie tribale", "SP"),
    ("rescolarisation", "Rescolarisation", "SP"),
    ("sans_solution", "Sans solution", ""),
    ("abandon", "Abandon", ""),
    ("demenagement", "Déménagement", ""),
    ("sante", "Santé", ""),
    ("autre", "Autre", ""),
]

LOTS = [
    {
        "numero": 1,
        "libelle": "Demandeurs d'emploi éloignés de l'emploi",
        "public": "Avec ou sans qualification ni projet défini ; freins à l'emploi, parfois "
        "avec des difficultés de logement.",
        "duree_min_mois": 1,
        "duree_max_mois": 24,
        "duree_defaut_mois": 7,
        "reconnaissance_crhd_requise": False,
    },
    {
        "numero": 2,
        "libelle": "Demandeurs d'emploi en situation de handicap",
        "public": "Reconnus par la CRHD, sans projet professionnel défini, accessible et clair.",
        "duree_min_mois": 8,
        "duree_max_mois": 8,
        "duree_defaut_mois": 8,
        "reconnaissance_crhd_requise": True,
    },
]

MOIS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip

# SMG history (docs/domaine.md). The arrêtés' numbers are not in the CCTP: the reference names the
# arrêté by its effect date; the administrator completes the number in the admin.
TAUX_SMG = [
    (date(2018, 10, 1), Decimal("926.44")),
    (date(2022, 5, 1), Decimal("937.46")),
    (date(2022, 6, 1), Decimal("945.90")),
    (date(2022, 7, 1), Decimal("955.64")),
    (date(2022, 10, 1), Decimal("965.10")),
    (date(2023, 2, 1), Decimal("971.37")),
    (date(2023, 3, 1), Decimal("976.52")),
    (date(2024, 8, 1), Decimal("985.42")),
    (date(2025, 6, 1), Decimal("991.73")),
]


def reference_arrete(date_effet: date) -> str:
    return (
        "Arrêté du gouvernement de la Nouvelle-Calédonie fixant le SMG au "
        f"1er {MOIS[date_effet.month - 1]} {date_effet.year}"
    )


def charger_referentiels(apps=None) -> None:
    """Create every missing reference entry; existing ones are left as the admin set them."""
    if apps is None:
        apps = registre
    get = lambda name: apps.get_model("procurement", name)  # noqa: E731

    for ordre, (code, libelle, sensible) in enumerate(FREINS):
        get("Frein").objects.get_or_create(
            code=code, defaults={"libelle": libelle, "sensible": sensible, "ordre": ordre}
        )
    for model, rows in (("NiveauFormation", NIVEAUX_FORMATION), ("Commune", COMMUNES)):
        for ordre, (code, libelle) in enumerate(rows):
            get(model).objects.get_or_create(
                code=code, defaults={"libelle": libelle, "ordre": ordre}
            )
    for ordre, (code, libelle, classe) in enumerate(TYPES_SORTIE):
        get("TypeSortie").objects.get_or_create(
            code=code, defaults={"libelle": libelle, "classe": classe, "ordre": ordre}
        )
    for lot in LOTS:
        get("Lot").objects.get_or_create(numero=lot["numero"], defaults=lot)
    for date_effet, horaire in TAUX_SMG:
        get("TauxSMG").objects.get_or_create(
            date_effet=date_effet,
            defaults={"taux_horaire": horaire, "arrete": reference_arrete(date_effet)},
        )
