"""Roles of the application, as Django groups whose permissions are defined here, in one place.

A user may hold several roles (a conseiller may also sit on the commission). Prestataire
roles belong to users attached to one prestataire organisation; every other role is DEL staff.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import models


class Role(models.TextChoices):
    CONSEILLER = "conseiller", "Conseiller à l'emploi"
    TRAVAILLEUR_SOCIAL = "travailleur_social", "Travailleur social"
    COMMISSION = "commission", "Membre de commission"
    GESTIONNAIRE = "gestionnaire", "Gestionnaire (chef de service)"
    FINANCE = "finance", "Finance"
    ADMINISTRATEUR = "administrateur", "Administrateur (DEL)"
    PRESTATAIRE_CHARGE = "prestataire_charge", "Chargé d'insertion (prestataire)"
    PRESTATAIRE_DIRECTION = "prestataire_direction", "Direction (prestataire)"


PRESTATAIRE_ROLES = frozenset({Role.PRESTATAIRE_CHARGE, Role.PRESTATAIRE_DIRECTION})
# Who must confirm a login with a second factor (settings.DEUX_FACTEURS_OBLIGATOIRE): every DEL
# role and a prestataire's direction, who see or manage a whole structure's people; a chargé
# d'insertion sees only the parcours given to them.
ROLES_A_DEUX_FACTEURS = frozenset(Role) - {Role.PRESTATAIRE_CHARGE}


def suit_seulement_ses_parcours(user) -> bool:
    """A prestataire's user who is not its direction (a chargé d'insertion) follows only the
    people whose parcours is assigned to him: least privilege inside a prestataire."""
    return bool(user.prestataire_id) and not user.has_role(Role.PRESTATAIRE_DIRECTION)


def au_perimetre_de(queryset, user, *, charge: str):
    """The records of `queryset` a chargé d'insertion may reach: those of the people he
    follows (`charge`: the lookup from the record to its parcours' chargé, e.g.
    "parcours__charge"). Every page, file and action a chargé reaches is narrowed here; the
    other users' querysets are returned unchanged (their own rules apply)."""
    if suit_seulement_ses_parcours(user):
        return queryset.filter(**{charge: user})
    return queryset


_READ_PEOPLE = [
    "procurement.view_demandeur",
    "procurement.view_prescription",
    "procurement.view_sessioncommission",
    "bons_de_commande.view_bondecommande",
    "prestataires.view_parcours",
    "workflows.view_prescriptionprocess",
    "workflows.view_commissionprocess",
    "workflows.view_avenantprocess",
    "workflows.view_parcoursprocess",
    "prestataires.view_entreprise",
    "prestataires.view_modulecollectif",
]
# A prestataire's users act on their own organisation's orders only (checked per record), a
# chargé d'insertion on the lines of the people he follows only.
_PRESTATAIRE = [
    "bons_de_commande.view_bondecommande",
    "bons_de_commande.desister_lignecommande",
    "prestataires.view_parcours",
    "prestataires.suivre_parcours",
    *(
        f"prestataires.{action}_{model}"
        for model in ("entreprise", "modulecollectif")
        for action in ("view", "add", "change")
    ),
]
# Bilans, indicators and exports: the DEL's managers read them all, a prestataire's direction
# its own organisation's (records are filtered by prestataire).
_PILOTAGE = [
    "reporting.view_bilanfinparcours",
    "reporting.view_bilanannuel",
    "reporting.consulter_indicateurs",
    "reporting.exporter_donnees",
]
_REFERENTIELS = [
    "lot",
    "prestataire",
    "attributionlot",
    "tauxsmg",
    "frein",
    "niveauformation",
    "commune",
    "typesortie",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CONSEILLER: [
        *_READ_PEOPLE,
        "procurement.add_demandeur",
        "procurement.change_demandeur",
        "procurement.add_prescription",
    ],
    Role.TRAVAILLEUR_SOCIAL: [*_READ_PEOPLE, "procurement.cosign_prescription"],
    Role.COMMISSION: [*_READ_PEOPLE, "procurement.decider_sessioncommission"],
    Role.GESTIONNAIRE: [
        *_READ_PEOPLE,
        "procurement.add_sessioncommission",
        "procurement.change_sessioncommission",
        "bons_de_commande.emettre_bondecommande",
        "bons_de_commande.desister_lignecommande",
        "remunerations.view_etatremuneration",
        "workflows.view_remunerationprocess",
        *_PILOTAGE,
        "workflows.view_bilanprocess",
        "reporting.examiner_bilanfinparcours",
        "reporting.importer_parcours",
        "reporting.view_importparcours",
        "reporting.view_journalexport",
    ],
    Role.FINANCE: [
        "remunerations.view_etatremuneration",
        "remunerations.rapprocher_etatremuneration",
        "workflows.view_remunerationprocess",
    ],
    Role.ADMINISTRATEUR: [
        *_READ_PEOPLE,
        *(
            f"procurement.{action}_{model}"
            for model in _REFERENTIELS
            for action in ("view", "add", "change", "delete")
        ),
        *(f"accounts.{action}_user" for action in ("view", "add", "change")),
        "auth.view_group",
        # Unlock a (username, address) locked out by django-axes; remove a lost phone's second
        # factor (the user enrols again at the next login).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
        "reporting.importer_parcours",
        "reporting.view_importparcours",
        "reporting.view_journalexport",
    ],
    Role.PRESTATAIRE_CHARGE: _PRESTATAIRE,
    # The état de rémunération spans all the structure's stagiaires: its direction declares it.
    Role.PRESTATAIRE_DIRECTION: [
        *_PRESTATAIRE,
        # Acknowledging an order or an avenant commits the structure to every person on it.
        "bons_de_commande.accuser_bondecommande",
        "prestataires.attribuer_parcours",
        "remunerations.view_etatremuneration",
        "remunerations.declarer_etatremuneration",
        *_PILOTAGE,
        "reporting.rediger_bilanfinparcours",
        "reporting.rediger_bilanannuel",
    ],
}


def sync_role_groups(**kwargs):
    """Create one group per role and give it exactly the permissions listed above."""
    # post_migrate runs app by app: make sure every app's permissions exist already.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)

    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
