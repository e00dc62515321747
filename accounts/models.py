from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import ROLES_A_DEUX_FACTEURS, Role


class User(AbstractUser):
    """A member of the DEL's staff, or of one prestataire organisation."""

    prestataire = models.ForeignKey(
        "procurement.Prestataire",
        verbose_name="organisation prestataire",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="utilisateurs",
        help_text="Seulement pour les utilisateurs d'un prestataire ; vide pour la DEL.",
    )

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[Role]:
        names = {g.name for g in self.groups.all()}
        return frozenset(role for role in Role if role.value in names)

    def has_role(self, *roles: Role) -> bool:
        return self.is_active and any(role in self.roles for role in roles)

    @property
    def doit_confirmer_deux_facteurs(self) -> bool:
        """The roles of ROLES_A_DEUX_FACTEURS, and whoever reaches the admin."""
        return bool(self.roles & ROLES_A_DEUX_FACTEURS) or self.is_staff or self.is_superuser


def auteur(verbose_name=None):
    """Who did a step of a record (issued, sent, accepted…): kept even if the user leaves,
    set by the application only; the journal of transitions keeps every step."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )


def utilisateurs_du_role(role: Role, *, prestataire_id=None):
    """The active users who hold `role`; for a prestataire's role, those of `prestataire_id`.
    Whom a notification goes to: the gestionnaires, the finance, a prestataire's direction."""
    utilisateurs = User.objects.filter(groups__name=role, is_active=True)
    if prestataire_id is not None:
        utilisateurs = utilisateurs.filter(prestataire_id=prestataire_id)
    return utilisateurs
