from datetime import date

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from procurement.models import (
    AttributionLot,
    Commune,
    Demandeur,
    Lot,
    NiveauFormation,
    Prestataire,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Prénom"
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@del.nc")

    @factory.post_generation
    def role(self, create, role, **kwargs):
        if role:
            self.groups.add(Group.objects.get(name=Role(role).value))


class PrestataireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prestataire
        django_get_or_create = ["code"]
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"P{n}")
    raison_sociale = factory.LazyAttribute(lambda p: f"Prestataire {p.code}")

    @factory.post_generation
    def lot(self, create, numero, **kwargs):
        if numero:
            AttributionLot.objects.create(
                prestataire=self,
                lot=Lot.objects.get(numero=numero),
                reference_marche="Marché test",
                date_debut=date(2020, 1, 1),
                volume_annuel_min=1,
                volume_annuel_max=80,
            )


class DemandeurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Demandeur

    nom = factory.Sequence(lambda n: f"NOM{n}")
    prenom = "Marie"
    date_naissance = date(1990, 4, 12)
    genre = "F"
    niveau_formation = factory.LazyFunction(lambda: NiveauFormation.objects.get(code="bac"))
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="noumea"))
    situation_logement = "autonome"
    cree_par = factory.SubFactory(UserFactory, role=Role.CONSEILLER)
