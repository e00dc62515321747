from datetime import date, timedelta
from itertools import cycle

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from bons_de_commande.enums import EtatLigne
from bons_de_commande.models import LigneCommande
from prestataires.models import Parcours
from procurement.enums import EtatPrescription
from procurement.models import (
    AttributionLot,
    Commune,
    Demandeur,
    Lot,
    NiveauFormation,
    Prescription,
    Prestataire,
    cle_doublon,
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


def lignes_commandees(
    rangs, *, bon, prestataire, lot, conseiller, duree_mois, nom="VOLUME", ne_le=date(1980, 1, 1)
) -> list[LigneCommande]:
    """Volume tests: one demandeur per rang (named `nom` and the rang, born `ne_le` + rang
    days), bulk-created with a prescription ordered to `prestataire` and its line on `bon`.
    Each line holds its prescription and demandeur: the parcours hang on them."""
    communes, niveaux = cycle(Commune.objects.all()), cycle(NiveauFormation.objects.all())
    demandeurs = Demandeur.objects.bulk_create(
        Demandeur(
            nom=f"{nom}{rang:04d}",
            prenom="Camille",
            cle_doublon=cle_doublon(f"{nom}{rang:04d}", "Camille"),
            date_naissance=ne_le + timedelta(days=rang),
            genre="FMX"[rang % 3],
            niveau_formation=next(niveaux),
            commune=next(communes),
            situation_logement="autonome",
            cree_par=conseiller,
        )
        for rang in rangs
    )
    prescriptions = Prescription.objects.bulk_create(
        Prescription(
            demandeur=demandeur,
            lot=lot,
            prestataire=prestataire,
            conseiller=conseiller,
            motif="Accompagnement vers l'emploi",
            resultat_attendu="Un emploi durable",
            etat=EtatPrescription.COMMANDEE,
        )
        for demandeur in demandeurs
    )
    return LigneCommande.objects.bulk_create(
        LigneCommande(
            bon=bon, prescription=prescription, duree_mois=duree_mois, etat=EtatLigne.COMMANDEE
        )
        for prescription in prescriptions
    )


def parcours_de_la_ligne(ligne, **suivi) -> Parcours:
    """The parcours (not saved) of a line of `lignes_commandees`: its prestataire, person and
    lot are its prescription's, its validated duration the line's; `suivi`, what became of
    it."""
    prescription = ligne.prescription
    return Parcours(
        ligne=ligne,
        prestataire=prescription.prestataire,
        demandeur=prescription.demandeur,
        lot=prescription.lot,
        duree_mois=ligne.duree_mois,
        **suivi,
    )
