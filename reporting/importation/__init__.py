"""Import of the parcours history (CONTRACTS.md §2): the DEL's and the prestataires' follow-up
spreadsheets brought into the application, by the `import_parcours` command and by the
"Import de l'historique" page, which both call `importer()`.

A file is read with django-import-export (its XLSX format; CSV through the standard library,
which keeps the line numbers the error messages give), each row is checked by
`HistoriqueResource`, an import-export `Resource` whose `Result` carries, per row, the action
(new, update, unchanged) and the errors the page previews. Nothing is written unless every row
is valid; then everything is written in one transaction, with bulk queries: the number of
queries does not grow with the number of rows.

Decisions (README):

- One row is one prescription, keyed on `reference`. A reference typed in the application
  (PR-000012) is refused: only imported prescriptions are restated by an import.
- Re-import: each group of columns a row fills ("block": the decision with its date, motif
  and duration; the exit with its type and early-exit motif; a stage; an evaluation...)
  restates what the database holds; an empty optional block states nothing and never erases
  what the database holds (what was recorded in the application since). A row whose blocks
  all match is unchanged; otherwise it is updated (its prescription, person and parcours keep
  their primary keys; its imported evaluation or stage is replaced).
- What history cannot restate: the lot and prestataire of an imported reference; a recorded
  decision (validée, refusée) and its date, motif and duration; the session of a person already
  ordered. Those rows are refused with a French message. A decision may still follow an
  adjournment (a new commission passage), and a validated person may join a session later.
- Person: matched on identity (name and first name folded, date of birth: the rule of
  `Demandeur.cle_doublon` and its unique constraint), created otherwise; the file states the
  person's gender, education level and commune (the latest import wins), and a row on lot 2
  records the CRHD recognition. The rows of one person in a file must agree on those.
  The housing situation, absent from the file, is left empty.
- Commission: rows with a `session` share one closed commission session, dated at the
  earliest commission date of its rows, with the order (bon de commande) numbered with the
  session text outside the BC-year-NNNN numbering; rows with a decision and no session share
  one closed commission session per (date, lot, prestataire). Decisions are dated at noon,
  Nouméa time, on the commission date.
- Order: issued on the earliest commission date and acknowledged on the earliest entry (the
  commission date while nobody has entered), both by the importing user; each validated
  person of the session has a line and a parcours (no viewflow process: it is history).
- A parcours follows the application's rules: planned end = the day before the same day
  `duree_mois` months after the entry (lot 2: 8 months); an exit without `sortie_anticipee`
  is at term, needs a stage and is not before the planned end; a stage lies inside the
  parcours and is finished when its last day is past. Imported stages and evaluations carry
  "Repris de l'historique" where the file has no text; a stage's weekly hours, which the file
  does not give, are recorded as 35.
- Each imported session owes its bilan de fin de parcours: its record is created with the due
  date of `reporting.models.echeance_du_bilan`, already sent when `bilan_transmis` is given
  (then the DEL examined it outside the application: no process). A bilan still owed starts
  its process, with its reminder and overdue timers, as an order acknowledged here does; a
  re-import that gives it as sent does its writing step on that date, and the DEL examines it
  in the application.
- Authors: the web import records the logged-in user; the command records the inactive
  account `reprise` ("Reprise de l'historique", no usable password), created on demand.
- Every import that writes, and every dry run, is journaled in `ImportParcours`.
"""

from collections import defaultdict
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from import_export.results import RowResult

from bons_de_commande.enums import EtatBonDeCommande, EtatLigne
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.enums import EtatParcours, EtatStage, MomentEvaluation, ObjetStage, TypeFin
from prestataires.models import AXES_EVALUATION, Entreprise, Evaluation, Parcours, Stage
from prestataires.services import TYPES_FIN_ANTICIPEE
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import (
    Demandeur,
    PassageCommission,
    Prescription,
    SessionCommission,
    today,
)
from procurement.text import normalise

from ..bilans import fins_de_sessions
from ..enums import EtatBilan
from ..models import BilanFinParcours, ImportParcours, echeance_du_bilan
from .colonnes import COLONNES, EVAL_ENTREE, EVAL_SORTIE, OBLIGATOIRES, ordre
from .contexte import TEXTE_REPRISE, Contexte
from .lecture import Fichier, FichierIllisible, lire
from .ligne import LigneImport
from .rapport import Rapport, apercu
from .ressource import HistoriqueResource

__all__ = [
    "COLONNES",
    "OBLIGATOIRES",
    "Fichier",
    "FichierIllisible",
    "Rapport",
    "importer",
    "utilisateur_de_reprise",
]

COMMENTAIRE_REPRISE = "Reprise de l'historique (fichier de suivi importé)."
# The file gives no weekly hours; the stage's check constraint wants 1 to 39.
HEURES_HEBDO_REPRISE = 35
NOM_UTILISATEUR_REPRISE = "reprise"


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


def _midi(jour: date) -> datetime:
    return datetime.combine(jour, time(12), tzinfo=timezone.get_default_timezone())


# --- Writing ----------------------------------------------------------------------------------


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
    """Writes the valid rows in dependency order, each kind of record in bulk."""

    LOT = 500

    def __init__(self, contexte: Contexte, par):
        self.contexte, self.par = contexte, par
        self.maintenant, self.aujourd_hui = timezone.now(), today()
        self.commissions_de_session: dict[str, SessionCommission] = {}
        self.commissions_sans_bon: dict[tuple, SessionCommission] = {}
        self.nouvelles_commissions: list[SessionCommission] = []
        self.nouveaux_bons: dict[str, BonDeCommande] = {}
        self.bons_touches: set[int] = set()

    def ecrire(self, a_ecrire):
        lignes = [ligne for ligne, _ in a_ecrire]
        for ligne in lignes:
            ligne.base = self.contexte.existantes.get(ligne.reference)
        self.demandeurs(lignes)
        self.prescriptions(lignes)
        self.passages(lignes)
        self.commandes(lignes)
        parcours = self.parcours(lignes)
        self.evaluations(parcours)
        self.stages(parcours)
        self.bilans(lignes)

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
        Demandeur.objects.bulk_create(nouveaux, batch_size=self.LOT)
        Demandeur.objects.bulk_update(
            list(modifies.values()),
            ["genre", "niveau_formation", "commune", "reconnaissance_crhd", "modifie_le"],
            batch_size=self.LOT,
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
        Prescription.objects.bulk_create(nouvelles, batch_size=self.LOT)
        Prescription.objects.bulk_update(
            modifiees, [*CHAMPS_PRESCRIPTION, "modifiee_le"], batch_size=self.LOT
        )
        _mettre_en_etat(Prescription, etats)
        lien = Prescription.freins.through
        lien.objects.filter(prescription_id__in=freins_remplaces).delete()
        lien.objects.bulk_create(
            (
                lien(prescription_id=prescription.pk, frein_id=frein.pk)
                for prescription, liste in freins
                for frein in liste
            ),
            batch_size=self.LOT,
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
                cloturee_le=_midi(ligne.date_commission),
            )
            self.nouvelles_commissions.append(commission)
            if ligne.session:
                self.commissions_de_session[ligne.session] = commission
            else:
                self.commissions_sans_bon[cle] = commission
        if commission.pk is None and ligne.date_commission < commission.date_seance:
            # An imported session's existing commission is dated again by sessions_touchees.
            commission.date_seance = ligne.date_commission
            commission.cloturee_le = _midi(ligne.date_commission)
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
                    decide_le=_midi(ligne.date_commission),
                )
            )
        SessionCommission.objects.bulk_create(self.nouvelles_commissions, batch_size=self.LOT)
        PassageCommission.objects.bulk_create(nouveaux, batch_size=self.LOT)
        PassageCommission.objects.bulk_update(deplaces, ["session"], batch_size=self.LOT)
        SessionCommission.objects.filter(
            pk__in=quittees, passages__isnull=True, bon_de_commande__isnull=True
        ).delete()

    def commandes(self, lignes):
        """Each new session: its order, issued and acknowledged; each person newly ordered:
        their line on it."""
        par_session = defaultdict(list)
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
                    emis_le=_midi(emission),
                    emis_par=self.par,
                    accuse_le=_midi(min(entrees) if entrees else emission),
                    accuse_par=self.par,
                )
                self.nouveaux_bons[session] = bon
            else:
                self.bons_touches.add(bon.pk)
            for ligne in rangees:
                ligne.bon = bon
        BonDeCommande.objects.bulk_create(self.nouveaux_bons.values(), batch_size=self.LOT)
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
        LigneCommande.objects.bulk_create(nouvelles, batch_size=self.LOT)

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
        Parcours.objects.bulk_create(nouveaux, batch_size=self.LOT)
        Parcours.objects.bulk_update(modifies, CHAMPS_PARCOURS, batch_size=self.LOT)
        _mettre_en_etat(Parcours, etats)
        return avec_parcours

    def evaluations(self, lignes):
        """The entry evaluation is dated at the entry, the exit one at the exit (or the entry
        while the person runs); an evaluation the row restates replaces the database's, and
        an imported one follows the dates the row corrects."""
        nouvelles, remplacees, redatees = [], [], []
        for ligne in lignes:
            existant = ligne.base.parcours if ligne.base else None
            for moment, colonnes in (
                (MomentEvaluation.ENTREE, EVAL_ENTREE),
                (MomentEvaluation.SORTIE, EVAL_SORTIE),
            ):
                jour = ligne.date_entree
                if moment == MomentEvaluation.SORTIE:
                    jour = ligne.date_sortie or ligne.date_entree
                ancienne = ligne.base.evaluations.get(moment) if existant else None
                if existant and colonnes[0] not in ligne.changements:
                    importee = ancienne and ancienne.commentaire == COMMENTAIRE_REPRISE
                    if importee and jour and ancienne.date != jour:
                        ancienne.date = jour
                        redatees.append(ancienne)
                    continue
                if ancienne:
                    remplacees.append(ancienne.pk)
                valeurs = ligne.evaluation(colonnes)
                if valeurs is None:
                    continue
                nouvelles.append(
                    Evaluation(
                        parcours=ligne.parcours,
                        moment=moment,
                        date=jour,
                        commentaire=COMMENTAIRE_REPRISE,
                        par=self.par,
                        **dict(zip(AXES_EVALUATION, valeurs, strict=True)),
                    )
                )
        Evaluation.objects.filter(pk__in=remplacees).delete()
        Evaluation.objects.bulk_update(redatees, ["date"], batch_size=self.LOT)
        Evaluation.objects.bulk_create(nouvelles, batch_size=self.LOT)

    def stages(self, lignes):
        """A stage at a company of the prestataire's register (matched on its name, created
        without RIDET otherwise), finished once its last day is past."""
        nouveaux, remplaces, entreprises = [], [], {}
        for ligne in lignes:
            existant = ligne.base.parcours if ligne.base else None
            if existant:
                if "stage_entreprise" not in ligne.changements:
                    continue
                if ligne.base.stage:
                    remplaces.append(ligne.base.stage.pk)
            if not ligne.stage_entreprise:
                continue
            cle = ligne.prestataire.pk, normalise(ligne.stage_entreprise)
            entreprise = self.contexte.entreprises.get(cle) or entreprises.get(cle)
            if entreprise is None:
                entreprise = entreprises[cle] = Entreprise(
                    prestataire=ligne.prestataire,
                    raison_sociale=ligne.stage_entreprise,
                    ridet="",
                    contact_nom="Non renseigné (reprise de l'historique)",
                )
            termine = ligne.stage_fin < self.aujourd_hui or ligne.date_sortie is not None
            nouveaux.append(
                Stage(
                    parcours=ligne.parcours,
                    entreprise=entreprise,
                    objet=ObjetStage.DECOUVRIR,
                    objectifs=TEXTE_REPRISE,
                    tuteur_nom="Non renseigné (reprise de l'historique)",
                    debut=ligne.stage_debut,
                    fin=ligne.stage_fin,
                    heures_hebdo=HEURES_HEBDO_REPRISE,
                    activites_competences=TEXTE_REPRISE,
                    criteres_evaluation=TEXTE_REPRISE,
                    etat=EtatStage.TERMINE if termine else EtatStage.EN_COURS,
                    termine_le=ligne.stage_fin if termine else None,
                    cree_par=self.par,
                )
            )
        Stage.objects.filter(pk__in=remplaces).delete()
        Entreprise.objects.bulk_create(entreprises.values(), batch_size=self.LOT)
        Stage.objects.bulk_create(nouveaux, batch_size=self.LOT)

    def bilans(self, lignes):
        """Each new session owes its bilan de fin de parcours (sent when `bilan_transmis` is
        given; followed by its process otherwise); the sessions the import changed have their
        dates read again."""
        from workflows.services import suivre_bilan

        par_session = defaultdict(list)
        for ligne in lignes:
            if ligne.session in self.nouveaux_bons:
                par_session[ligne.session].append(ligne)
        crees = []
        fins = fins_de_sessions([self.nouveaux_bons[session] for session in par_session])
        for session, rangees in par_session.items():
            transmis = next((r.bilan_transmis for r in rangees if r.bilan_transmis), None)
            bon = self.nouveaux_bons[session]
            fin = fins.get(bon.pk)
            crees.append(
                BilanFinParcours(
                    bon=bon,
                    prestataire_id=bon.prestataire_id,
                    lot_id=bon.lot_id,
                    fin_session=fin,
                    echeance=echeance_du_bilan(fin),
                    etat=EtatBilan.TRANSMIS if transmis else EtatBilan.A_REDIGER,
                    transmis_le=transmis,
                    transmis_par=self.par if transmis else None,
                )
            )
        BilanFinParcours.objects.bulk_create(crees, batch_size=self.LOT)
        for bilan in crees:
            if bilan.etat == EtatBilan.A_REDIGER:
                suivre_bilan(bilan)
        self.bilans_transmis(lignes)
        self.sessions_touchees()

    def bilans_transmis(self, lignes):
        """A session already imported whose bilan the file now gives as sent (on that day): a
        bilan followed by its process has its writing step done; an earlier history's record is
        restated."""
        from workflows.services import enregistrer_bilan_transmis

        par_jour, suivis = defaultdict(set), {}
        for ligne in lignes:
            if "bilan_transmis" not in ligne.enonces or ligne.session in self.nouveaux_bons:
                continue
            bilan = self.contexte.bilan_de(ligne, ligne.base)
            if bilan and bilan.transmis_le != ligne.bilan_transmis:
                if bilan.process_id:
                    suivis[bilan.pk] = (bilan, ligne.bilan_transmis)
                else:
                    par_jour[ligne.bilan_transmis].add(bilan.pk)
        for bilan, jour in suivis.values():
            enregistrer_bilan_transmis(bilan, par=self.par, le=jour)
        for jour, bilans in par_jour.items():
            bilans = BilanFinParcours.objects.filter(pk__in=bilans)
            bilans.update(transmis_le=jour, transmis_par=self.par)
            # History restated (see _mettre_en_etat): a bilan sent on that day.
            bilans.filter(etat=EtatBilan.A_REDIGER).update(etat=EtatBilan.TRANSMIS)

    def sessions_touchees(self):
        """An imported session that gained people, or whose people's dates changed: its
        commission date, issue and acknowledgement dates, and its bilan's due date follow."""
        if not self.bons_touches:
            return
        from workflows.services import actualiser_bilan

        bons = BonDeCommande.objects.filter(pk__in=self.bons_touches).select_related("session")
        importes = [bon for bon in bons if bon.importe]
        decisions = dict(
            PassageCommission.objects.filter(session__bon_de_commande__in=importes)
            .values_list("session__bon_de_commande")
            .annotate(Min("decide_le"))
        )
        entrees = dict(
            Parcours.objects.filter(ligne__bon__in=importes)
            .values_list("ligne__bon")
            .annotate(Min("date_entree"))
        )
        for bon in importes:
            emission = timezone.localdate(decisions[bon.pk])
            bon.session.date_seance = emission
            bon.emis_le = _midi(emission)
            bon.accuse_le = _midi(entrees.get(bon.pk) or emission)
        SessionCommission.objects.bulk_update([b.session for b in importes], ["date_seance"])
        BonDeCommande.objects.bulk_update(importes, ["emis_le", "accuse_le"])
        for bon in bons:
            actualiser_bilan(bon)


def importer(fichier: Fichier, *, par, essai: bool = False) -> Rapport:
    """Check every row of the file and, when all are valid and it is not a dry run (`essai`),
    write them, all in one transaction. Raises FichierIllisible for a file that cannot be
    read. The journal keeps every import that wrote and every dry run."""
    tableau = lire(fichier)
    rapport = Rapport(fichier=fichier, essai=essai, erreurs=list(tableau.erreurs))
    with transaction.atomic():
        if not any(erreur.ligne == 1 for erreur in tableau.erreurs):
            contexte = Contexte(tableau.donnees)
            resource = HistoriqueResource(contexte, tableau.lignes)
            resultat = resource.import_data(tableau.donnees, use_transactions=False)
            for erreur in resultat.base_errors + [e for r in resultat.rows for e in r.errors]:
                raise erreur.error  # not a row's fault: a defect to fix here
            rapport.lignes, erreurs = apercu(resource, resultat)
            rapport.erreurs = sorted(rapport.erreurs + erreurs, key=ordre)
            rapport.crees = resultat.totals[RowResult.IMPORT_TYPE_NEW]
            rapport.mises_a_jour = resultat.totals[RowResult.IMPORT_TYPE_UPDATE]
            rapport.inchangees = resultat.totals[RowResult.IMPORT_TYPE_SKIP]
            if rapport.valide and not essai:
                Ecriture(contexte, par).ecrire(resource.a_ecrire)
        if rapport.valide or essai:
            rapport.journal = ImportParcours.objects.create(
                fichier=fichier.nom[:255],
                empreinte=fichier.empreinte,
                par=par,
                essai=essai,
                lignes=len(rapport.lignes),
                crees=rapport.crees,
                mises_a_jour=rapport.mises_a_jour,
                inchangees=rapport.inchangees,
            )
    return rapport
