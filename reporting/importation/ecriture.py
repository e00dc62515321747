"""Writing the valid rows, batch by batch while every row so far is valid: people,
prescriptions, commission decisions, orders and parcours, each kind of record in bulk, then the
parcours' follow-up (`suivi`); once every batch is written, the sessions' bilans (`sessions`).
A batch finds in the database what earlier batches wrote (a person, a session's order and
commission); what spans batches (the sessions an import creates, the orders it touches) is
kept here and settled at the end (`terminer`)."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from bons_de_commande.enums import EtatBonDeCommande, EtatLigne
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.enums import EtatParcours, TypeFin
from prestataires.models import Entreprise, Evaluation, Parcours, Stage
from prestataires.services import TYPES_FIN_ANTICIPEE
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import (
    Demandeur,
    PassageCommission,
    Prescription,
    SessionCommission,
    today,
)

from ..models import BilanFinParcours
from .contexte import LOT, Contexte
from .insertion import inserer
from .ligne import LigneImport
from .sessions import BilansDesSessions, midi
from .suivi import SuiviDesParcours

NOM_UTILISATEUR_REPRISE = "reprise"

# An import that writes this many rows has the tables it wrote analysed (PostgreSQL).
SEUIL_DES_STATISTIQUES = 1000


def utilisateur_de_reprise():
    """The author of what the command imports: an inactive account nobody logs in with."""
    utilisateur, cree = get_user_model().objects.get_or_create(
        username=NOM_UTILISATEUR_REPRISE,
        defaults={"first_name": "Reprise de l'historique", "is_active": False},
    )
    if cree:
        utilisateur.set_unusable_password()
        utilisateur.save(update_fields=["password"])
    return utilisateur


def _etat_prescription(ligne: LigneImport) -> str:
    if ligne.decision == Decision.VALIDEE:
        return EtatPrescription.COMMANDEE if ligne.session else EtatPrescription.VALIDEE
    return {
        Decision.REFUSEE: EtatPrescription.REFUSEE,
        Decision.AJOURNEE: EtatPrescription.AJOURNEE,
    }.get(ligne.decision, EtatPrescription.SOUMISE)


def _etat_parcours(ligne: LigneImport, actuel: str | None = None) -> str:
    """Entered or not, exited or not; a suspension, a maintien or a withdrawal recorded in the
    application is kept while the file does not contradict it."""
    if ligne.date_entree is None:
        return actuel if actuel == EtatParcours.ANNULE else EtatParcours.ATTENTE_ENTREE
    if ligne.date_sortie is None:
        return actuel if actuel == EtatParcours.SUSPENDU else EtatParcours.EN_COURS
    return actuel if actuel == EtatParcours.MAINTIEN else EtatParcours.TERMINE


def _mettre_en_etat(modele, par_etat: dict):
    """History restated, not a transition of the workflow: the state field is protected on
    the models (only transitions change it), so an imported record's state is written by a
    queryset update, one per target state."""
    for etat, pks in par_etat.items():
        modele.objects.filter(pk__in=pks).update(etat=etat)


# What an import restates on a prescription and a parcours it updates.
CHAMPS_PRESCRIPTION = [
    "demandeur", "conseiller", "travailleur_social", "difficultes_logement",
    "date_prescription", "motif",
]  # fmt: skip
CHAMPS_PARCOURS = [
    "demandeur", "date_entree", "fin_prevue", "date_sortie", "type_sortie", "type_fin",
    "motif_sortie", "satisfaction",
]  # fmt: skip


class Ecriture:
    """Writes the valid rows in dependency order, each kind of record in bulk, batch after
    batch of one import."""

    def __init__(self, par):
        self.contexte: Contexte | None = None
        self.par = par
        self.maintenant, self.aujourd_hui = timezone.now(), today()
        self.commissions_de_session: dict[str, SessionCommission] = {}
        self.commissions_sans_bon: dict[tuple, SessionCommission] = {}
        self.nouvelles_commissions: list[SessionCommission] = []
        self.nouveaux_bons: dict[str, BonDeCommande] = {}
        self.bons_touches: set[int] = set()
        self.sessions = BilansDesSessions(par, self.nouveaux_bons, self.bons_touches)
        self.ecrites = 0

    def ecrire(self, contexte: Contexte, lignes: list[LigneImport]):
        """One batch's rows to create or update (their context: `contexte`)."""
        self.contexte, self.nouvelles_commissions = contexte, []
        self.ecrites += len(lignes)
        dossiers = contexte.dossiers(
            [ligne.reference for ligne in lignes if ligne.reference in contexte.existantes]
        )
        for ligne in lignes:
            ligne.base = dossiers.get(ligne.reference)
        self.demandeurs(lignes)
        self.prescriptions(lignes)
        self.passages(lignes)
        self.commandes(lignes)
        parcours = self.parcours(lignes)
        suivi = SuiviDesParcours(self.contexte, self.par, self.aujourd_hui)
        suivi.evaluations(parcours)
        suivi.stages(parcours)
        self.sessions.noter(contexte, lignes)

    def terminer(self):
        """Once every batch is written: the bilans of the sessions created, the dates of the
        sessions touched."""
        self.sessions.terminer()
        if self.ecrites >= SEUIL_DES_STATISTIQUES and connection.vendor == "postgresql":
            # Tables loaded in bulk have no statistics until autovacuum reads them: PostgreSQL
            # then plans on a few rows, and reading 1 000 references of a 100 000-row history
            # scanned whole tables (a re-import right after took 24 times a tenth of its rows).
            nom = connection.ops.quote_name
            with connection.cursor() as curseur:
                curseur.execute(
                    "ANALYZE " + ", ".join(nom(modele._meta.db_table) for modele in ECRITS)
                )

    def demandeurs(self, lignes):
        personnes, nouveaux, modifies = {}, [], {}
        for ligne in lignes:
            demandeur = personnes.get(ligne.identite) or self.contexte.demandeurs.get(
                ligne.identite
            )
            if demandeur is None:
                demandeur = Demandeur(
                    nom=ligne.nom,
                    prenom=ligne.prenom,
                    cle_doublon=ligne.identite[0],
                    date_naissance=ligne.date_naissance,
                    genre=ligne.genre,
                    niveau_formation=ligne.niveau_formation,
                    commune=ligne.commune,
                    situation_logement="",  # not in the file: to complete in the application
                    reconnaissance_crhd=ligne.reconnaissance_crhd,
                    cree_par=self.par,
                )
                nouveaux.append(demandeur)
            else:
                voulu = (
                    ligne.genre,
                    ligne.niveau_formation.pk,
                    ligne.commune.pk,
                    demandeur.reconnaissance_crhd or ligne.reconnaissance_crhd,
                )
                actuel = (
                    demandeur.genre,
                    demandeur.niveau_formation_id,
                    demandeur.commune_id,
                    demandeur.reconnaissance_crhd,
                )
                if voulu != actuel:
                    demandeur.genre, demandeur.niveau_formation = voulu[0], ligne.niveau_formation
                    demandeur.commune, demandeur.reconnaissance_crhd = ligne.commune, voulu[3]
                    demandeur.modifie_le = self.maintenant
                    if demandeur.pk:
                        modifies[demandeur.pk] = demandeur
            personnes[ligne.identite] = ligne.demandeur = demandeur
        inserer(Demandeur, nouveaux)
        Demandeur.objects.bulk_update(
            list(modifies.values()),
            ["genre", "niveau_formation", "commune", "reconnaissance_crhd", "modifie_le"],
            batch_size=LOT,
        )

    def prescriptions(self, lignes):
        nouvelles, modifiees, etats = [], [], defaultdict(list)
        freins, freins_remplaces = [], []
        for ligne in lignes:
            etat = _etat_prescription(ligne)
            champs = {
                "demandeur": ligne.demandeur,
                "conseiller": ligne.conseiller,
                "travailleur_social": ligne.travailleur_social,
                "difficultes_logement": ligne.travailleur_social is not None,  # binôme
                "date_prescription": ligne.date_prescription,
                "motif": ligne.motif_prescription or "",
            }
            if ligne.base is None:
                prescription = Prescription(
                    lot=ligne.lot,
                    prestataire=ligne.prestataire,
                    resultat_attendu="",
                    reference=ligne.reference,
                    importee=True,
                    etat=etat,
                    **champs,
                )
                nouvelles.append(prescription)
                freins.append((prescription, ligne.freins))
            else:
                prescription = ligne.base.prescription
                for nom, valeur in champs.items():
                    setattr(prescription, nom, valeur)
                prescription.modifiee_le = self.maintenant
                modifiees.append(prescription)
                if {"decision", "session"} & set(ligne.changements) and prescription.etat != etat:
                    etats[etat].append(prescription.pk)
                if "freins" in ligne.changements:
                    freins_remplaces.append(prescription.pk)
                    freins.append((prescription, ligne.freins))
            ligne.prescription = prescription
        inserer(Prescription, nouvelles)
        Prescription.objects.bulk_update(
            modifiees, [*CHAMPS_PRESCRIPTION, "modifiee_le"], batch_size=LOT
        )
        _mettre_en_etat(Prescription, etats)
        lien = Prescription.freins.through
        lien.objects.filter(prescription_id__in=freins_remplaces).delete()
        inserer(
            lien,
            (
                lien(prescription_id=prescription.pk, frein_id=frein.pk)
                for prescription, liste in freins
                for frein in liste
            ),
        )

    def commission_de(self, ligne) -> SessionCommission:
        """Rows of a session share its commission; other decisions share one per day, lot and
        prestataire. A session's commission is dated at the earliest decision of its rows."""
        if ligne.session:
            commission = self.commissions_de_session.get(ligne.session)
            if commission is None:
                bon = self.contexte.bons.get(ligne.session)
                commission = bon.session if bon else None
                self.commissions_de_session[ligne.session] = commission
        else:
            cle = ligne.date_commission, ligne.lot.pk, ligne.prestataire.pk
            commission = self.contexte.commissions.get(cle) or self.commissions_sans_bon.get(cle)
            self.commissions_sans_bon[cle] = commission
        if commission is None:
            commission = SessionCommission(
                date_seance=ligne.date_commission,
                lot=ligne.lot,
                prestataire=ligne.prestataire,
                etat=EtatSession.CLOTUREE,
                cree_par=self.par,
                cloturee_le=midi(ligne.date_commission),
            )
            self.nouvelles_commissions.append(commission)
            if ligne.session:
                self.commissions_de_session[ligne.session] = commission
            else:
                self.commissions_sans_bon[cle] = commission
        if commission.pk is None and ligne.date_commission < commission.date_seance:
            # An imported session's existing commission is dated again by sessions_touchees.
            commission.date_seance = ligne.date_commission
            commission.cloturee_le = midi(ligne.date_commission)
        return commission

    def passages(self, lignes):
        nouveaux, deplaces, quittees = [], [], set()
        for ligne in lignes:
            if not ligne.decision:
                continue
            passage = ligne.base.passage if ligne.base else None
            if passage and "decision" not in ligne.changements:
                if ligne.session and not ligne.base.ligne_commande:
                    # Validated earlier, ordered since: the passage joins its session.
                    quittees.add(passage.session_id)
                    passage.session = self.commission_de(ligne)
                    deplaces.append(passage)
                continue
            nouveaux.append(
                PassageCommission(
                    session=self.commission_de(ligne),
                    prescription=ligne.prescription,
                    decision=ligne.decision,
                    duree_mois=ligne.duree_effective,
                    motif_refus=ligne.motif_refus,
                    decide_par=self.par,
                    decide_le=midi(ligne.date_commission),
                )
            )
        inserer(SessionCommission, self.nouvelles_commissions)
        inserer(PassageCommission, nouveaux)
        PassageCommission.objects.bulk_update(deplaces, ["session"], batch_size=LOT)
        SessionCommission.objects.filter(
            pk__in=quittees, passages__isnull=True, bon_de_commande__isnull=True
        ).delete()

    def commandes(self, lignes):
        """Each new session: its order, issued and acknowledged; each person newly ordered:
        their line on it."""
        par_session, nouveaux = defaultdict(list), {}
        for ligne in lignes:
            if ligne.session and not (ligne.base and ligne.base.ligne_commande):
                par_session[ligne.session].append(ligne)
        for session, rangees in par_session.items():
            bon = self.contexte.bons.get(session)
            if bon is None:
                premiere = rangees[0]
                emission = min(r.date_commission for r in rangees)
                entrees = [r.date_entree for r in rangees if r.date_entree]
                bon = BonDeCommande(
                    session=self.commissions_de_session[session],
                    prestataire=premiere.prestataire,
                    lot=premiere.lot,
                    attribution=self.contexte.attribution(
                        premiere.prestataire, premiere.lot, emission
                    ),
                    numero=session,
                    importe=True,
                    etat=EtatBonDeCommande.ACCUSE,
                    emis_le=midi(emission),
                    emis_par=self.par,
                    accuse_le=midi(min(entrees) if entrees else emission),
                    accuse_par=self.par,
                )
                nouveaux[session] = bon
            else:
                self.bons_touches.add(bon.pk)
            for ligne in rangees:
                ligne.bon = bon
        inserer(BonDeCommande, nouveaux.values())
        self.nouveaux_bons.update(nouveaux)
        nouvelles = []
        for rangees in par_session.values():
            for ligne in rangees:
                ligne.ligne_commande = LigneCommande(
                    bon=ligne.bon,
                    prescription=ligne.prescription,
                    duree_mois=ligne.duree_effective,
                    etat=EtatLigne.COMMANDEE,
                )
                nouvelles.append(ligne.ligne_commande)
        inserer(LigneCommande, nouvelles)

    def parcours(self, lignes) -> list[LigneImport]:
        """One parcours per ordered person: its dates, exit and satisfaction."""
        avec_parcours, nouveaux, modifies, etats = [], [], [], defaultdict(list)
        for ligne in lignes:
            existant = ligne.base.parcours if ligne.base else None
            if existant is None and not hasattr(ligne, "ligne_commande"):
                continue
            jours_suspendus = ligne.base.jours_suspendus if ligne.base else 0
            if ligne.date_sortie:
                type_fin = TypeFin.TERME
                if ligne.sortie_anticipee:
                    type_fin = TypeFin.ANTICIPEE
                    if existant and existant.type_fin in TYPES_FIN_ANTICIPEE:
                        type_fin = existant.type_fin  # a rupture stays a rupture
            else:
                type_fin = ""
            champs = {
                "demandeur": ligne.demandeur,
                "date_entree": ligne.date_entree,
                "fin_prevue": ligne.fin_prevue(jours_suspendus),
                "date_sortie": ligne.date_sortie,
                "type_sortie": ligne.type_sortie,
                "type_fin": type_fin,
                "motif_sortie": ligne.motif_sortie_anticipee if ligne.sortie_anticipee else "",
                "satisfaction": ligne.satisfaction,
            }
            if existant is None:
                ligne.parcours = Parcours(
                    ligne=ligne.ligne_commande,
                    prestataire=ligne.prestataire,
                    lot=ligne.lot,
                    duree_mois=ligne.duree_effective,
                    etat=_etat_parcours(ligne),
                    **champs,
                )
                nouveaux.append(ligne.parcours)
            else:
                for nom, valeur in champs.items():
                    setattr(existant, nom, valeur)
                modifies.append(existant)
                if {"date_entree", "date_sortie"} & set(ligne.changements):
                    etat = _etat_parcours(ligne, existant.etat)
                    if etat != existant.etat:
                        etats[etat].append(existant.pk)
                ligne.parcours = existant
                self.bons_touches.add(ligne.base.ligne_commande.bon_id)
            avec_parcours.append(ligne)
        inserer(Parcours, nouveaux)
        Parcours.objects.bulk_update(modifies, CHAMPS_PARCOURS, batch_size=LOT)
        _mettre_en_etat(Parcours, etats)
        return avec_parcours


# The tables an import writes in bulk.
ECRITS = (
    Demandeur, Prescription, Prescription.freins.through, SessionCommission, PassageCommission,
    BonDeCommande, LigneCommande, Parcours, Evaluation, Stage, Entreprise, BilanFinParcours,
)  # fmt: skip
