"""What the file refers to, loaded once before its rows are checked: the référentiels, the
users, the imported references as the database holds them (`EnBase`), the orders, people,
commission sessions and companies the rows name."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

import tablib
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone

from accounts.roles import Role
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.enums import EtatStage, MomentEvaluation
from prestataires.models import Entreprise, Evaluation, Parcours, Stage
from prestataires.models.parcours import AXES_EVALUATION
from prestataires.services import TYPES_FIN_ANTICIPEE
from procurement.enums import EtatSession
from procurement.models import (
    AttributionLot,
    Commune,
    Demandeur,
    Frein,
    Lot,
    NiveauFormation,
    PassageCommission,
    Prescription,
    Prestataire,
    SessionCommission,
    TypeSortie,
)
from procurement.text import normalise

from ..models import BilanFinParcours
from .colonnes import EVAL_ENTREE, EVAL_SORTIE, Date, en_texte
from .ligne import LigneImport, cle_doublon_memorisee

TEXTE_REPRISE = "Repris de l'historique (non renseigné dans le fichier importé)."
# Reference lookups are split so that no query carries more parameters than a database takes.
PAQUET = 2000
# Records are written in bulk by batches of this many.
LOT = 500


def _par_paquets(valeurs):
    valeurs = list(valeurs)
    for debut in range(0, len(valeurs), PAQUET):
        yield valeurs[debut : debut + PAQUET]


@dataclass
class EnBase:
    """An imported reference as the database holds it."""

    prescription: Prescription
    passage: PassageCommission | None
    ligne_commande: LigneCommande | None
    parcours: Parcours | None
    evaluations: dict
    stage: Stage | None
    a_un_stage: bool
    bilan: BilanFinParcours | None
    jours_suspendus: int
    freins: tuple
    contexte: "Contexte"

    @classmethod
    def de(cls, prescription, freins, contexte):
        ligne_commande = getattr(prescription, "ligne_commande", None)
        parcours = getattr(ligne_commande, "parcours", None) if ligne_commande else None
        suspensions = parcours.suspensions.all() if parcours else []
        stages = parcours.stages_valides if parcours else []
        return cls(
            prescription=prescription,
            passage=prescription.decisions[-1] if prescription.decisions else None,
            ligne_commande=ligne_commande,
            parcours=parcours,
            evaluations={e.moment: e for e in parcours.evaluations_es} if parcours else {},
            stage=next((s for s in stages if s.objectifs == TEXTE_REPRISE), None),
            a_un_stage=bool(stages),
            bilan=getattr(ligne_commande.bon, "bilan", None) if ligne_commande else None,
            jours_suspendus=sum(s.jours for s in suspensions if s.fin),
            freins=tuple(contexte.freins_par_pk[pk] for pk in sorted(freins)),
            contexte=contexte,
        )

    @cached_property
    def comme_ligne(self) -> LigneImport:
        """The reference as a row of the file would state it."""
        p, ligne, contexte = self.prescription, LigneImport(0), self.contexte
        demandeur = p.demandeur
        for colonne in ("nom", "prenom", "date_naissance", "genre"):
            setattr(ligne, colonne, getattr(demandeur, colonne))
        ligne.niveau_formation = contexte.niveaux_par_pk[demandeur.niveau_formation_id]
        ligne.commune = contexte.communes_par_pk[demandeur.commune_id]
        ligne.reconnaissance_crhd = demandeur.reconnaissance_crhd
        ligne.reference = p.reference
        ligne.lot = contexte.lots_par_pk[p.lot_id]
        ligne.prestataire = contexte.prestataires_par_pk[p.prestataire_id]
        ligne.conseiller, ligne.travailleur_social = p.conseiller, p.travailleur_social
        ligne.date_prescription, ligne.motif_prescription = p.date_prescription, p.motif
        ligne.freins = self.freins
        if self.passage:
            ligne.decision = self.passage.decision
            ligne.date_commission = (
                timezone.localdate(self.passage.decide_le)
                if self.passage.decide_le
                else self.passage.session.date_seance
            )
            ligne.motif_refus = contexte.freins_par_pk.get(self.passage.motif_refus_id)
            if not ligne.duree_fixe:
                ligne.duree_mois = self.passage.duree_mois
        if self.ligne_commande:
            ligne.session = self.ligne_commande.bon.numero
        parcours = self.parcours
        if parcours:
            ligne.date_entree, ligne.date_sortie = parcours.date_entree, parcours.date_sortie
            ligne.type_sortie = contexte.types_par_pk.get(parcours.type_sortie_id)
            ligne.satisfaction = parcours.satisfaction
            if parcours.date_sortie:
                ligne.sortie_anticipee = parcours.type_fin in TYPES_FIN_ANTICIPEE
                ligne.motif_sortie_anticipee = (
                    parcours.motif_sortie if ligne.sortie_anticipee else ""
                )
            for moment, colonnes in (("entree", EVAL_ENTREE), ("sortie", EVAL_SORTIE)):
                evaluation = self.evaluations.get(moment)
                for colonne, axe in zip(colonnes, AXES_EVALUATION, strict=True):
                    setattr(ligne, colonne, getattr(evaluation, axe) if evaluation else None)
            if self.stage:
                ligne.stage_entreprise = self.stage.entreprise.raison_sociale
                ligne.stage_debut, ligne.stage_fin = self.stage.debut, self.stage.fin
        if self.bilan:
            ligne.bilan_transmis = self.bilan.transmis_le
        return ligne


class Contexte:
    """The référentiels, users and records the file refers to, each loaded in one query (or
    one per chunk of references), so that checking 10 000 rows does not query per row."""

    def __init__(self, donnees: tablib.Dataset):
        self.donnees = donnees
        self.referentiels()
        self.references()
        self.sessions()
        self.personnes()
        self.commissions_sans_bon()
        self.entreprises_des_prestataires()

    def colonne(self, nom) -> list[str]:
        return [en_texte(v) for v in self.donnees[nom]] if nom in self.donnees.headers else []

    def dates(self, nom) -> list[date | None]:
        """The column's readable dates (None for the others: their rows are refused)."""
        lecture, resultat = Date(), []
        for valeur in self.donnees[nom] if nom in self.donnees.headers else []:
            try:
                resultat.append(lecture.clean(valeur))
            except ValueError:
                resultat.append(None)
        return resultat

    def referentiels(self):
        self.niveaux = {n.code: n for n in NiveauFormation.objects.all()}
        self.freins = {f.code: f for f in Frein.objects.all()}
        self.types_sortie = {t.code: t for t in TypeSortie.objects.all()}
        self.lots = {str(lot.numero): lot for lot in Lot.objects.all()}
        self.prestataires = {p.code: p for p in Prestataire.objects.all()}
        self.lots_par_pk = {lot.pk: lot for lot in self.lots.values()}
        self.niveaux_par_pk = {n.pk: n for n in self.niveaux.values()}
        self.freins_par_pk = {f.pk: f for f in self.freins.values()}
        self.types_par_pk = {t.pk: t for t in self.types_sortie.values()}
        self.communes_par_pk = {c.pk: c for c in Commune.objects.all()}
        self.prestataires_par_pk = {p.pk: p for p in self.prestataires.values()}
        self.attributions = defaultdict(list)
        for attribution in AttributionLot.objects.order_by("date_debut"):
            self.attributions[attribution.prestataire_id, attribution.lot_id].append(attribution)
        utilisateurs = get_user_model().objects
        self.conseillers = {
            u.username: u for u in utilisateurs.filter(groups__name=Role.CONSEILLER)
        }
        self.travailleurs_sociaux = {
            u.username: u for u in utilisateurs.filter(groups__name=Role.TRAVAILLEUR_SOCIAL)
        }

    def references(self):
        """References typed in the application (refused), and imported ones as they stand."""
        self.references_saisies = set()
        self.existantes: dict[str, EnBase] = {}
        for paquet in _par_paquets({r for r in self.colonne("reference") if r}):
            self.references_saisies.update(
                Prescription.objects.filter(reference__in=paquet, importee=False).values_list(
                    "reference", flat=True
                )
            )
            freins = defaultdict(set)
            for prescription_id, frein_id in Prescription.freins.through.objects.filter(
                prescription__reference__in=paquet, prescription__importee=True
            ).values_list("prescription_id", "frein_id"):
                freins[prescription_id].add(frein_id)
            for prescription in _prescriptions_importees(paquet):
                self.existantes[prescription.reference] = EnBase.de(
                    prescription, freins[prescription.pk], self
                )

    def sessions(self):
        """Orders numbered like a session of the file: imported (it grows) or not (refused)."""
        self.bons = {}
        for paquet in _par_paquets({s for s in self.colonne("session") if s}):
            for bon in BonDeCommande.objects.filter(numero__in=paquet).select_related(
                "session", "bilan"
            ):
                self.bons[bon.numero] = bon

    def personnes(self):
        """The people already registered under an identity of the file."""
        identites = {
            (cle_doublon_memorisee(nom, prenom), naissance)
            for nom, prenom, naissance in zip(
                self.colonne("nom"),
                self.colonne("prenom"),
                self.dates("date_naissance"),
                strict=False,  # a column missing from the header: refused on line 1
            )
        }
        self.demandeurs = {}
        for paquet in _par_paquets({cle for cle, _ in identites}):
            for demandeur in Demandeur.objects.filter(cle_doublon__in=paquet):
                identite = demandeur.cle_doublon, demandeur.date_naissance
                if identite in identites:
                    self.demandeurs[identite] = demandeur

    def commissions_sans_bon(self):
        """Imported commission sessions without an order, to which new decisions of the same
        day, lot and prestataire are added."""
        self.commissions = {}
        for paquet in _par_paquets(set(self.dates("date_commission")) - {None}):
            for session in SessionCommission.objects.filter(
                date_seance__in=paquet,
                etat=EtatSession.CLOTUREE,
                bon_de_commande__isnull=True,
                passages__prescription__importee=True,
            ).distinct():
                cle = session.date_seance, session.lot_id, session.prestataire_id
                self.commissions.setdefault(cle, session)

    def entreprises_des_prestataires(self):
        self.entreprises = {}
        for entreprise in Entreprise.objects.filter(
            prestataire__code__in={c.upper() for c in self.colonne("prestataire")}
        ).order_by("pk"):
            cle = entreprise.prestataire_id, normalise(entreprise.raison_sociale)
            self.entreprises.setdefault(cle, entreprise)

    def bilan_de(self, ligne, base) -> BilanFinParcours | None:
        """The bilan, already in the database, of the row's session: that of the order its
        person is on, or of the session the row names."""
        if base and base.ligne_commande:
            return getattr(base.ligne_commande.bon, "bilan", None)
        return getattr(self.bons.get(ligne.session), "bilan", None)

    def attribution(self, prestataire, lot, jour: date | None):
        """The prestataire's contract for the lot in force on `jour`, else its latest."""
        attributions = self.attributions.get((prestataire.pk, lot.pk), [])
        for attribution in attributions:
            if (
                jour
                and attribution.date_debut <= jour
                and (attribution.date_fin is None or jour <= attribution.date_fin)
            ):
                return attribution
        return attributions[-1] if attributions else None


def _prescriptions_importees(references):
    """Imported prescriptions with what became of them; référentiels are read from the
    context (by primary key) rather than joined row by row."""
    return (
        Prescription.objects.filter(reference__in=references, importee=True)
        .select_related(
            "demandeur",
            "conseiller",
            "travailleur_social",
            "ligne_commande__bon__bilan",
            "ligne_commande__parcours",
        )
        .prefetch_related(
            Prefetch(
                "passages",
                queryset=PassageCommission.objects.exclude(decision="").order_by("decide_le", "pk"),
                to_attr="decisions",
            ),
            Prefetch(
                "ligne_commande__parcours__evaluations",
                queryset=Evaluation.objects.filter(
                    moment__in=[MomentEvaluation.ENTREE, MomentEvaluation.SORTIE]
                ),
                to_attr="evaluations_es",
            ),
            Prefetch(
                "ligne_commande__parcours__stages",
                queryset=Stage.objects.exclude(etat=EtatStage.ANNULE)
                .select_related("entreprise")
                .order_by("debut", "pk"),
                to_attr="stages_valides",
            ),
            "ligne_commande__parcours__suspensions",
        )
    )
