from datetime import UTC, date, datetime, timedelta
from itertools import count, cycle

import factory
from django.contrib.auth.models import Group
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from accounts.models import User
from accounts.roles import Role
from bons_de_commande.enums import EtatBonDeCommande, EtatLigne
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.models import Parcours
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import (
    AttributionLot,
    Commune,
    Demandeur,
    Lot,
    NiveauFormation,
    PassageCommission,
    Prescription,
    Prestataire,
    SessionCommission,
    cle_doublon,
)

_rangs = count()


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


def prescriptions_en_masse(
    rangs, *, prestataire, lot, conseiller, etat, nom="VOLUME", ne_le=date(1980, 1, 1)
) -> list[Prescription]:
    """Volume tests: one demandeur per rang (named `nom` and the rang, born `ne_le` + rang
    days), bulk-created with a prescription to `prestataire` on `lot`, in state `etat`."""
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
    return Prescription.objects.bulk_create(
        Prescription(
            demandeur=demandeur,
            lot=lot,
            prestataire=prestataire,
            conseiller=conseiller,
            motif="Accompagnement vers l'emploi",
            resultat_attendu="Un emploi durable",
            etat=etat,
        )
        for demandeur in demandeurs
    )


def lignes_commandees(
    rangs, *, bon, prestataire, lot, conseiller, duree_mois, nom="VOLUME", ne_le=date(1980, 1, 1)
) -> list[LigneCommande]:
    """Volume tests: one demandeur per rang (named `nom` and the rang, born `ne_le` + rang
    days), bulk-created with a prescription ordered to `prestataire` and its line on `bon`.
    Each line holds its prescription and demandeur: the parcours hang on them."""
    prescriptions = prescriptions_en_masse(
        rangs,
        prestataire=prestataire,
        lot=lot,
        conseiller=conseiller,
        etat=EtatPrescription.COMMANDEE,
        nom=nom,
        ne_le=ne_le,
    )
    return LigneCommande.objects.bulk_create(
        LigneCommande(
            bon=bon, prescription=prescription, duree_mois=duree_mois, etat=EtatLigne.COMMANDEE
        )
        for prescription in prescriptions
    )


def sessions_commission(
    nombre, *, prestataire, lot, cree_par, passages=0, etat=EtatSession.CLOTUREE,
    date_seance=date(2026, 6, 1),
) -> list[SessionCommission]:  # fmt: skip
    """Volume tests: `nombre` sessions of `prestataire` on `lot`, bulk-created, each with
    `passages` prescriptions (of people made for it, prescribed by `cree_par`) on its
    agenda, validated for 6 months."""
    sessions = SessionCommission.objects.bulk_create(
        SessionCommission(
            date_seance=date_seance, lot=lot, prestataire=prestataire, etat=etat, cree_par=cree_par
        )
        for _ in range(nombre)
    )
    if passages:
        prescriptions = iter(
            prescriptions_en_masse(
                [next(_rangs) for _ in range(nombre * passages)],
                prestataire=prestataire,
                lot=lot,
                conseiller=cree_par,
                etat=EtatPrescription.VALIDEE,
                nom="PASSAGE",
            )
        )
        PassageCommission.objects.bulk_create(
            PassageCommission(
                session=session, prescription=next(prescriptions), decision=Decision.VALIDEE,
                duree_mois=6,
            )
            for session in sessions
            for _ in range(passages)
        )  # fmt: skip
    return sessions


def bons_de_commande(
    nombre, *, attribution, emis_par, lignes=0, etat=EtatBonDeCommande.ACCUSE, emis_le=None
) -> list[BonDeCommande]:
    """Volume tests: `nombre` orders on `attribution` (its prestataire and lot), bulk-created
    with their closed commission session, issued by `emis_par` on `emis_le` (default 02/06/2026)
    and numbered `VOL-<rang>`, acknowledged the next day if `etat` says so (the default), each
    with `lignes` people ordered for 6 months."""
    prestataire, lot = attribution.prestataire, attribution.lot
    emis_le = emis_le or datetime(2026, 6, 2, 9, tzinfo=UTC)
    accuse_le = emis_le + timedelta(days=1) if etat == EtatBonDeCommande.ACCUSE else None
    sessions = sessions_commission(nombre, prestataire=prestataire, lot=lot, cree_par=emis_par)
    bons = BonDeCommande.objects.bulk_create(
        BonDeCommande(
            session=session, prestataire=prestataire, lot=lot, attribution=attribution,
            numero=f"VOL-{next(_rangs):05d}", etat=etat, emis_le=emis_le, emis_par=emis_par,
            accuse_le=accuse_le,
        )
        for session in sessions
    )  # fmt: skip
    for bon in bons if lignes else ():
        lignes_commandees(
            [next(_rangs) for _ in range(lignes)], bon=bon, prestataire=prestataire, lot=lot,
            conseiller=emis_par, duree_mois=6, nom="LIGNE",
        )  # fmt: skip
    return bons


def taches_en_attente(dossiers, noeud, **champs) -> list[Task]:
    """Volume tests: a process of `noeud`'s flow for each record of `dossiers` (saved, of one
    model), bulk-created with its human task waiting at `noeud` in the queue of the node's
    permission (or as `champs` say: `owner=`...)."""
    flow_class = noeud.flow_class
    processus = Process.objects.bulk_create(
        Process(flow_class=flow_class, status=STATUS.NEW) for _ in dossiers
    )
    for dossier, process in zip(dossiers, processus, strict=True):
        dossier.process_id = process.pk
    type(dossiers[0]).objects.bulk_update(dossiers, ["process"])
    champs.setdefault("owner_permission", noeud._owner_permission)
    return Task.objects.bulk_create(
        Task(process=process, flow_task=noeud, flow_task_type="HUMAN", status=STATUS.NEW, **champs)
        for process in processus
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


def parcours_commandes(nombre, *, attribution, par, **suivi) -> list[Parcours]:
    """Volume tests: `nombre` parcours on one order of `attribution` issued by `par`,
    bulk-created with their people and lines; `suivi`, what became of them (etat=...,
    date_entree=..., charge=...)."""
    (bon,) = bons_de_commande(1, attribution=attribution, emis_par=par, lignes=nombre)
    return Parcours.objects.bulk_create(
        parcours_de_la_ligne(ligne, **suivi)
        for ligne in bon.lignes.select_related("prescription").order_by("pk")
    )
