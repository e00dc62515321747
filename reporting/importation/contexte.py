"""What the file refers to: the référentiels and users, loaded once per import
(`Referentiels`); for each batch of rows, before it is checked (`Contexte`), the imported
references as the database holds them, read as plain values (`EnBase`), the orders, people,
commission sessions and companies its rows name; for the rows a batch updates, before they
are written, their records as model instances (`Dossier`)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.roles import Role
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.enums import EtatStage, MomentEvaluation
from prestataires.models import Entreprise, Evaluation, Parcours, Stage, Suspension
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
LOT = 1000


def _parmi(modele, champ: str, valeurs):
    """A filter: `champ` of `modele` among `valeurs`. On PostgreSQL, one array parameter
    (`= ANY(%s)`): a thousand `IN` parameters cost Django and psycopg more to build, quote and
    parse than the database to run (a fifth of an unchanged re-import)."""
    valeurs = list(valeurs)
    if connection.vendor != "postgresql":
        return Q(**{f"{champ}__in": valeurs})
    nom = connection.ops.quote_name
    colonne = f"{nom(modele._meta.db_table)}.{nom(modele._meta.get_field(champ).column)}"
    return RawSQL(f"{colonne} = ANY(%s)", [valeurs], output_field=BooleanField())


def _par_paquets(valeurs):
    valeurs = list(valeurs)
    for debut in range(0, len(valeurs), PAQUET):
        yield valeurs[debut : debut + PAQUET]


@dataclass
class Dossier:
    """An imported reference the file updates, as model instances: what its writing changes."""

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

    @property
    def bon_numero(self) -> str | None:
        return self.ligne_commande.bon.numero if self.ligne_commande else None


@dataclass
class EnBase:
    """An imported reference as the database holds it, read as plain values (no model
    instance: an unchanged re-import reads 10 000 of them): the row a file would state for
    it, and what its checks need."""

    prescription_id: int
    parcours_id: int | None
    bon_numero: str | None
    comme_ligne: LigneImport
    a_un_stage: bool
    jours_suspendus: int

    @property
    def ligne_commande(self) -> bool:
        """Ordered: on a session's order."""
        return self.bon_numero is not None


# What `EnBase` reads of a prescription, its person and its parcours, in one query.
VALEURS_PRESCRIPTION = (
    "pk", "reference", "lot_id", "prestataire_id", "conseiller_id", "travailleur_social_id",
    "date_prescription", "motif", "demandeur__nom", "demandeur__prenom",
    "demandeur__date_naissance", "demandeur__genre", "demandeur__niveau_formation_id",
    "demandeur__commune_id", "demandeur__reconnaissance_crhd", "ligne_commande__bon__numero",
    "ligne_commande__parcours__pk", "ligne_commande__parcours__date_entree",
    "ligne_commande__parcours__date_sortie", "ligne_commande__parcours__type_sortie_id",
    "ligne_commande__parcours__satisfaction", "ligne_commande__parcours__type_fin",
    "ligne_commande__parcours__motif_sortie", "ligne_commande__bon__bilan__transmis_le",
)  # fmt: skip


class Referentiels:
    """The référentiels and users a file names, each loaded in one query, once per import."""

    def __init__(self):
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
        self.utilisateurs_par_pk = {
            u.pk: u for u in [*self.conseillers.values(), *self.travailleurs_sociaux.values()]
        }

    def utilisateur(self, pk):
        """A user by primary key (one who left the role since: a bare instance of that key)."""
        if pk is None:
            return None
        return self.utilisateurs_par_pk.get(pk) or get_user_model()(pk=pk)

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


class Contexte:
    """What one batch of rows refers to, each kind loaded in one query (or one per chunk of
    references), so that checking a batch does not query per row; the référentiels are the
    import's (`Referentiels`). The database already holds what earlier batches wrote: a person,
    session or company created by them is found here like any other."""

    def __init__(self, referentiels: Referentiels, rangees: list[dict], deja_vues=frozenset()):
        self.referentiels, self.rangees = referentiels, rangees
        self.references(deja_vues)
        self.sessions()

    def __getattr__(self, nom):
        return getattr(self.referentiels, nom)

    def colonne(self, nom) -> list[str]:
        return [en_texte(rangee[nom]) for rangee in self.rangees if nom in rangee]

    def dates(self, nom) -> list[date | None]:
        """The column's readable dates (None for the others: their rows are refused)."""
        lecture, resultat = Date(), []
        for rangee in self.rangees:
            try:
                resultat.append(lecture.clean(rangee.get(nom)))
            except ValueError:
                resultat.append(None)
        return resultat

    def references(self, deja_vues):
        """References typed in the application (refused), and imported ones as they stand;
        a reference an earlier row of the file used is refused as such, not compared with
        what that row wrote."""
        self.references_saisies = set()
        self.existantes: dict[str, EnBase] = {}
        references = {r for r in self.colonne("reference") if r and r not in deja_vues}
        for paquet in _par_paquets(references):
            self.existantes.update(_en_base(paquet, self, self.references_saisies))

    def sessions(self):
        """Orders numbered like a session of the file: imported (it grows) or not (refused);
        the bilans of those and of the orders the file's imported references are on."""
        self.bons = {}
        numeros = {s for s in self.colonne("session") if s}
        for paquet in _par_paquets(numeros):
            for bon in BonDeCommande.objects.filter(numero__in=paquet).select_related(
                "session", "bilan"
            ):
                self.bons[bon.numero] = bon
        self.bilans = {
            numero: bon.bilan for numero, bon in self.bons.items() if hasattr(bon, "bilan")
        }
        autres = {b.bon_numero for b in self.existantes.values() if b.bon_numero} - numeros
        for paquet in _par_paquets(autres):
            for bilan in BilanFinParcours.objects.filter(bon__numero__in=paquet).select_related(
                "bon"
            ):
                self.bilans[bilan.bon.numero] = bilan

    # What only writing needs is read when a batch is written (a dry run, a re-import that
    # changes nothing, a batch after a refused row do not read it).

    @cached_property
    def demandeurs(self):
        """The people already registered under an identity of the batch."""
        identites = {
            (cle_doublon_memorisee(nom, prenom), naissance)
            for nom, prenom, naissance in zip(
                self.colonne("nom"),
                self.colonne("prenom"),
                self.dates("date_naissance"),
                strict=False,  # a column missing from the header: refused on line 1
            )
        }
        demandeurs = {}
        for paquet in _par_paquets({cle for cle, _ in identites}):
            for demandeur in Demandeur.objects.filter(cle_doublon__in=paquet):
                identite = demandeur.cle_doublon, demandeur.date_naissance
                if identite in identites:
                    demandeurs[identite] = demandeur
        return demandeurs

    @cached_property
    def commissions(self):
        """Imported commission sessions without an order, to which new decisions of the same
        day, lot and prestataire are added."""
        commissions = {}
        for paquet in _par_paquets(set(self.dates("date_commission")) - {None}):
            for session in SessionCommission.objects.filter(
                date_seance__in=paquet,
                etat=EtatSession.CLOTUREE,
                bon_de_commande__isnull=True,
                passages__prescription__importee=True,
            ).distinct():
                cle = session.date_seance, session.lot_id, session.prestataire_id
                commissions.setdefault(cle, session)
        return commissions

    @cached_property
    def entreprises(self):
        entreprises = {}
        for entreprise in Entreprise.objects.filter(
            prestataire__code__in={c.upper() for c in self.colonne("prestataire")}
        ).order_by("pk"):
            cle = entreprise.prestataire_id, normalise(entreprise.raison_sociale)
            entreprises.setdefault(cle, entreprise)
        return entreprises

    def bilan_de(self, ligne, base) -> BilanFinParcours | None:
        """The bilan, already in the database, of the row's session: that of the order its
        person is on, or of the session the row names."""
        numero = base.bon_numero if base and base.bon_numero else ligne.session
        return self.bilans.get(numero)

    def dossiers(self, references) -> dict[str, Dossier]:
        """The imported references a batch updates, as model instances, to be written."""
        dossiers = {}
        for paquet in _par_paquets(references):
            freins = defaultdict(set)
            for prescription_id, frein_id in Prescription.freins.through.objects.filter(
                prescription__reference__in=paquet, prescription__importee=True
            ).values_list("prescription_id", "frein_id"):
                freins[prescription_id].add(frein_id)
            for prescription in _prescriptions_importees(paquet):
                dossiers[prescription.reference] = Dossier.de(
                    prescription, freins[prescription.pk], self
                )
        return dossiers


def _en_base(references, contexte, saisies: set) -> dict[str, EnBase]:
    """The imported references as plain values, a fixed number of queries per chunk; those
    typed in the application are added to `saisies`."""
    lignes, parcours_de = {}, {}
    valeurs = Prescription.objects.filter(
        _parmi(Prescription, "reference", references)
    ).values_list("importee", *VALEURS_PRESCRIPTION)
    for importee, *v in valeurs:
        if not importee:
            saisies.add(v[1])
            continue
        (pk, reference, lot_id, prestataire_id, conseiller_id, travailleur_social_id,
         date_prescription, motif, nom, prenom, date_naissance, genre, niveau_id, commune_id,
         crhd, bon_numero, parcours_id, date_entree, date_sortie, type_sortie_id, satisfaction,
         type_fin, motif_sortie, bilan_transmis) = v  # fmt: skip
        ligne = LigneImport(0)
        ligne.nom, ligne.prenom, ligne.date_naissance, ligne.genre = (
            nom, prenom, date_naissance, genre
        )  # fmt: skip
        ligne.niveau_formation = contexte.niveaux_par_pk[niveau_id]
        ligne.commune = contexte.communes_par_pk[commune_id]
        ligne.reconnaissance_crhd = crhd
        ligne.reference = reference
        ligne.lot = contexte.lots_par_pk[lot_id]
        ligne.prestataire = contexte.prestataires_par_pk[prestataire_id]
        ligne.conseiller = contexte.utilisateur(conseiller_id)
        ligne.travailleur_social = contexte.utilisateur(travailleur_social_id)
        ligne.date_prescription, ligne.motif_prescription = date_prescription, motif
        ligne.session = bon_numero
        ligne.bilan_transmis = bilan_transmis
        if parcours_id:
            ligne.date_entree, ligne.date_sortie = date_entree, date_sortie
            ligne.type_sortie = contexte.types_par_pk.get(type_sortie_id)
            ligne.satisfaction = satisfaction
            if date_sortie:
                ligne.sortie_anticipee = type_fin in TYPES_FIN_ANTICIPEE
                ligne.motif_sortie_anticipee = motif_sortie if ligne.sortie_anticipee else ""
            for colonne in (*EVAL_ENTREE, *EVAL_SORTIE):
                setattr(ligne, colonne, None)
            parcours_de[parcours_id] = ligne
        lignes[pk] = EnBase(
            prescription_id=pk,
            parcours_id=parcours_id,
            bon_numero=bon_numero,
            comme_ligne=ligne,
            a_un_stage=False,
            jours_suspendus=0,
        )
    if not lignes:
        return {}
    lien = Prescription.freins.through
    for prescription_id, frein_id in lien.objects.filter(
        _parmi(lien, "prescription", lignes)
    ).values_list("prescription_id", "frein_id"):
        lignes[prescription_id].comme_ligne.freins += (contexte.freins_par_pk[frein_id],)
    for base in lignes.values():
        base.comme_ligne.freins = tuple(sorted(base.comme_ligne.freins, key=lambda f: f.pk))
    for prescription_id, decision, decide_le, date_seance, motif_refus_id, duree in (
        PassageCommission.objects.filter(_parmi(PassageCommission, "prescription", lignes))
        .exclude(decision="")
        .order_by("decide_le", "pk")
        .values_list(
            "prescription_id",
            "decision",
            "decide_le",
            "session__date_seance",
            "motif_refus_id",
            "duree_mois",
        )  # fmt: skip
    ):  # the last decision is the one that stands
        ligne = lignes[prescription_id].comme_ligne
        ligne.decision = decision
        ligne.date_commission = timezone.localdate(decide_le) if decide_le else date_seance
        ligne.motif_refus = contexte.freins_par_pk.get(motif_refus_id)
        ligne.duree_mois = None if ligne.duree_fixe else duree
    if parcours_de:
        bases = {b.parcours_id: b for b in lignes.values() if b.parcours_id}
        for parcours_id, moment, *notes in Evaluation.objects.filter(
            _parmi(Evaluation, "parcours", parcours_de),
            moment__in=[MomentEvaluation.ENTREE, MomentEvaluation.SORTIE],
        ).values_list("parcours_id", "moment", *AXES_EVALUATION):
            colonnes = EVAL_ENTREE if moment == MomentEvaluation.ENTREE else EVAL_SORTIE
            for colonne, note in zip(colonnes, notes, strict=True):
                setattr(parcours_de[parcours_id], colonne, note)
        for parcours_id, objectifs, entreprise, debut, fin in (
            Stage.objects.filter(_parmi(Stage, "parcours", parcours_de))
            .exclude(etat=EtatStage.ANNULE)
            .order_by("debut", "pk")
            .values_list("parcours_id", "objectifs", "entreprise__raison_sociale", "debut", "fin")
        ):
            base, ligne = bases[parcours_id], parcours_de[parcours_id]
            base.a_un_stage = True
            if objectifs == TEXTE_REPRISE and ligne.stage_entreprise is None:
                ligne.stage_entreprise, ligne.stage_debut, ligne.stage_fin = (
                    entreprise, debut, fin
                )  # fmt: skip
        for parcours_id, debut, fin in Suspension.objects.filter(
            _parmi(Suspension, "parcours", parcours_de), fin__isnull=False
        ).values_list("parcours_id", "debut", "fin"):
            bases[parcours_id].jours_suspendus += (fin - debut).days
    return {base.comme_ligne.reference: base for base in lignes.values()}


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
