from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


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
