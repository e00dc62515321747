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

import csv
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property, lru_cache
from pathlib import Path

import tablib
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Min, Prefetch
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import RowResult

from accounts.roles import Role
from bons_de_commande.enums import EtatBonDeCommande, EtatLigne
from bons_de_commande.models import BonDeCommande, LigneCommande
from prestataires.enums import EtatParcours, EtatStage, MomentEvaluation, ObjetStage, TypeFin
from prestataires.models import AXES_EVALUATION, Entreprise, Evaluation, Parcours, Stage
from prestataires.services import TYPES_FIN_ANTICIPEE, fin_prevue_du_parcours
from procurement.enums import Decision, EtatPrescription, EtatSession
from procurement.models import (
    AGE_MINIMUM,
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
    age_le,
    cle_doublon,
    today,
)
from procurement.text import normalise

from .bilans import fins_de_sessions
from .enums import EtatBilan
from .models import BilanFinParcours, ImportParcours, echeance_du_bilan

# CONTRACTS.md §2, in the table's order (errors are listed in this order within a line).
COLONNES = (
    "reference", "nom", "prenom", "date_naissance", "genre", "niveau_formation", "commune",
    "lot", "prestataire", "conseiller", "travailleur_social", "date_prescription",
    "motif_prescription", "freins", "date_commission", "decision", "motif_refus", "duree_mois",
    "session", "date_entree", "date_sortie", "type_sortie", "sortie_anticipee",
    "motif_sortie_anticipee", "stage_entreprise", "stage_debut", "stage_fin", "satisfaction",
    "eval_entree_projet", "eval_entree_freins", "eval_entree_engagement",
    "eval_entree_savoir_etre", "eval_sortie_projet", "eval_sortie_freins",
    "eval_sortie_engagement", "eval_sortie_savoir_etre", "bilan_transmis",
)  # fmt: skip
OBLIGATOIRES = (
    "reference", "nom", "prenom", "date_naissance", "genre", "niveau_formation", "commune",
    "lot", "prestataire", "conseiller", "date_prescription",
)  # fmt: skip
EVAL_ENTREE = tuple(f"eval_entree_{axe}" for axe in AXES_EVALUATION)
EVAL_SORTIE = tuple(f"eval_sortie_{axe}" for axe in AXES_EVALUATION)
STAGE = ("stage_entreprise", "stage_debut", "stage_fin")
# The optional blocks: a row that fills one restates it; one left empty keeps the database's.
BLOCS = {
    "travailleur_social": ("travailleur_social",),
    "motif_prescription": ("motif_prescription",),
    "freins": ("freins",),
    "decision": ("decision", "date_commission", "motif_refus", "duree_mois"),
    "session": ("session",),
    "date_entree": ("date_entree",),
    "sortie": ("date_sortie", "type_sortie", "sortie_anticipee", "motif_sortie_anticipee"),
    "stage": STAGE,
    "satisfaction": ("satisfaction",),
    "eval_entree": EVAL_ENTREE,
    "eval_sortie": EVAL_SORTIE,
    "bilan_transmis": ("bilan_transmis",),
}
_RANG = {colonne: rang for rang, colonne in enumerate(COLONNES)}

TEXTE_REPRISE = "Repris de l'historique (non renseigné dans le fichier importé)."
COMMENTAIRE_REPRISE = "Reprise de l'historique (fichier de suivi importé)."
# The file gives no weekly hours; the stage's check constraint wants 1 to 39.
HEURES_HEBDO_REPRISE = 35
NOM_UTILISATEUR_REPRISE = "reprise"
# Reference lookups are split so that no query carries more parameters than a database takes.
PAQUET = 2000


class FichierIllisible(Exception):
    """The file cannot be read at all (format, encoding): a French message for its field."""


@dataclass(frozen=True)
class Erreur:
    ligne: int
    colonne: str
    message: str

    def __str__(self):
        return f"line {self.ligne}: {self.colonne}: {self.message}"


@dataclass
class Fichier:
    nom: str
    contenu: bytes

    @cached_property
    def empreinte(self) -> str:
        return hashlib.sha256(self.contenu).hexdigest()


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


def _par_paquets(valeurs):
    valeurs = list(valeurs)
    for debut in range(0, len(valeurs), PAQUET):
        yield valeurs[debut : debut + PAQUET]


# --- Reading the file -------------------------------------------------------------------------


@dataclass
class Tableau:
    """The file's rows as a tablib Dataset with the contract's column names, the file line of
    each row, and the errors found in the header or the rows' shape."""

    donnees: tablib.Dataset
    lignes: list[int]
    erreurs: list[Erreur]


def _texte(valeur) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)  # a spreadsheet's 12 is read as 12.0
    return str(valeur).strip()


def _lire_csv(contenu: bytes):
    """UTF-8 with or without BOM; `;` or `,`, whichever the header line uses more. Read with
    the csv module rather than tablib's, which drops blank lines and so the line numbers."""
    try:
        texte = contenu.decode("utf-8-sig")
    except UnicodeDecodeError as erreur:
        raise FichierIllisible(
            "Le fichier n'est pas en UTF-8 : enregistrez-le au format « CSV UTF-8 »."
        ) from erreur
    entete = texte.split("\n", 1)[0]
    separateur = ";" if entete.count(";") >= entete.count(",") else ","
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    rangees, fin_precedente = [], 0
    try:
        for cellules in lecteur:
            rangees.append((fin_precedente + 1, cellules))
            fin_precedente = lecteur.line_num
    except csv.Error as erreur:
        raise FichierIllisible(
            f"Le fichier CSV est mal formé vers la ligne {fin_precedente + 1} : {erreur}."
        ) from erreur
    return rangees


def _lire_xlsx(contenu: bytes):
    try:
        donnees = base_formats.XLSX().create_dataset(contenu)
    except Exception as erreur:  # openpyxl raises many kinds on a file that is not XLSX
        raise FichierIllisible(
            "Le classeur XLSX ne peut pas être lu : enregistrez-le de nouveau au format "
            "« Classeur Excel (.xlsx) »."
        ) from erreur
    return [(1, list(donnees.headers or []))] + [
        (rang, list(cellules)) for rang, cellules in enumerate(donnees, start=2)
    ]


def lire(fichier: Fichier) -> Tableau:
    """The file as rows under the contract's column names (header checked: unknown, missing
    and duplicated columns are errors on line 1)."""
    extension = Path(fichier.nom).suffix.lower()
    if extension == ".csv":
        rangees = _lire_csv(fichier.contenu)
    elif extension == ".xlsx":
        rangees = _lire_xlsx(fichier.contenu)
    else:
        raise FichierIllisible("Format non pris en charge : un fichier .csv ou .xlsx est attendu.")
    rangees = [(rang, cellules) for rang, cellules in rangees if any(map(_texte, cellules))]
    if not rangees or rangees[0][0] != 1:
        raise FichierIllisible(
            "La première ligne du fichier doit être l'en-tête (les noms des colonnes)."
        )
    entete = [_texte(nom).lower() for nom in rangees[0][1]]
    erreurs, vues, retenues = [], set(), []
    for position, nom in enumerate(entete):
        if not nom:
            if any(
                _texte(c) for _, cellules in rangees[1:] for c in cellules[position : position + 1]
            ):
                erreurs.append(Erreur(1, f"colonne {position + 1}", "colonne sans nom"))
        elif nom not in _RANG:
            erreurs.append(Erreur(1, nom, "colonne inconnue"))
        elif nom in vues:
            erreurs.append(Erreur(1, nom, "colonne en double"))
        else:
            vues.add(nom)
            retenues.append(position)
    erreurs += [
        Erreur(1, colonne, "colonne obligatoire absente du fichier")
        for colonne in OBLIGATOIRES
        if colonne not in vues
    ]
    donnees = tablib.Dataset(headers=[entete[position] for position in retenues])
    lignes = []
    for rang, cellules in rangees[1:]:
        en_trop = [c for c in cellules[len(entete) :] if _texte(c)]
        if en_trop:
            erreurs.append(
                Erreur(rang, f"colonne {len(entete) + 1}", "cellule hors des colonnes nommées "
                       "par l'en-tête (un séparateur en trop ?)")
            )  # fmt: skip
        cellules = list(cellules) + [None] * (len(entete) - len(cellules))
        donnees.append([cellules[position] for position in retenues])
        lignes.append(rang)
    return Tableau(donnees, lignes, sorted(erreurs, key=_ordre))


def _ordre(erreur: Erreur):
    return erreur.ligne, _RANG.get(erreur.colonne, -1)


# --- Reading cells (import-export widgets, French messages) ----------------------------------


class Texte(widgets.Widget):
    def __init__(self, longueur_max: int | None = None):
        super().__init__()
        self.longueur_max = longueur_max

    def clean(self, value, row=None, **kwargs):
        texte = _texte(value)
        if self.longueur_max and len(texte) > self.longueur_max:
            raise ValueError(f"{len(texte)} caractères : {self.longueur_max} au plus")
        return texte


class Date(widgets.Widget):
    """YYYY-MM-DD or DD/MM/YYYY (read without strptime: ten thousand rows hold many dates)."""

    FORMATS = (
        (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), (1, 2, 3)),
        (re.compile(r"^(\d{2})/(\d{2})/(\d{4})$"), (3, 2, 1)),
    )

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):  # a date cell of a spreadsheet
            return value.date()
        if isinstance(value, date):
            return value
        texte = _texte(value)
        if not texte:
            return None
        for motif, (annee, mois, jour) in self.FORMATS:
            lu = motif.match(texte)
            if lu:
                try:
                    return date(int(lu[annee]), int(lu[mois]), int(lu[jour]))
                except ValueError:
                    break
        raise ValueError(f"date invalide « {texte} » : attendu AAAA-MM-JJ ou JJ/MM/AAAA")


class Entier(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        texte = _texte(value)
        if not texte:
            return None
        try:
            return int(texte)
        except ValueError:
            raise ValueError(f"« {texte} » n'est pas un nombre entier") from None


class Choix(widgets.Widget):
    """One value of a short list, case and accents ignored ("Validée" is `validee`)."""

    def __init__(self, choix: dict, attendu: str):
        super().__init__()
        self.choix, self.attendu = choix, attendu

    def clean(self, value, row=None, **kwargs):
        texte = _texte(value)
        if not texte:
            return None
        try:
            return self.choix[normalise(texte).replace(" ", "_")]
        except KeyError:
            raise ValueError(f"valeur « {texte} » inconnue : {self.attendu}") from None


class Reference(widgets.Widget):
    """A record of a référentiel loaded once for the whole file, by its code."""

    def __init__(self, quoi: str, lecture=str.lower, attendu: str = ""):
        super().__init__()
        self.quoi, self.lecture, self.attendu, self.objets = quoi, lecture, attendu, {}

    def trouver(self, texte):
        objet = self.objets.get(self.lecture(texte))
        if objet is None:
            raise ValueError(
                f"{self.quoi} inconnu « {texte} »" + (f" : {self.attendu}" if self.attendu else "")
            )
        return objet

    def clean(self, value, row=None, **kwargs):
        texte = _texte(value)
        return self.trouver(texte) if texte else None


class Codes(Reference):
    """Several codes separated by `|`."""

    def clean(self, value, row=None, **kwargs):
        codes = [code.strip() for code in _texte(value).split("|") if code.strip()]
        return tuple(dict.fromkeys(self.trouver(code) for code in codes))


class CommuneWidget(widgets.Widget):
    """Code or name, case and accents ignored (`Commune.objects.resolve`), once per spelling."""

    def __init__(self):
        super().__init__()
        self.vues = {}

    def clean(self, value, row=None, **kwargs):
        texte = _texte(value)
        if not texte:
            return None
        if texte not in self.vues:
            self.vues[texte] = Commune.objects.resolve(texte)
        if self.vues[texte] is None:
            raise ValueError(f"commune inconnue « {texte} »")
        return self.vues[texte]


@lru_cache(maxsize=4096)
def _cle_doublon(nom: str, prenom: str) -> str:
    return cle_doublon(nom, prenom)


def _colonne(nom, widget):
    return fields.Field(attribute=nom, column_name=nom, widget=widget)


# --- One row --------------------------------------------------------------------------------


class LigneImport:
    """One row of the file, read: a prescription and what became of it. For a reference
    already imported, the blocks the row leaves empty are completed from the database."""

    def __init__(self, ligne: int):
        self.ligne = ligne
        for colonne in COLONNES:
            setattr(self, colonne, None)
        self.freins = ()
        self.reconnaissance_crhd = False
        self.enonces: set[str] = set()
        self.changements: list[str] = []

    def __str__(self):
        return f"{self.reference} ({self.nom} {self.prenom})"

    def bloc_rempli(self, bloc: str) -> bool:
        colonnes = BLOCS[bloc]
        if bloc == "sortie":  # `non` is the default: it states no exit
            colonnes = ("date_sortie", "type_sortie", "motif_sortie_anticipee")
            if self.sortie_anticipee:
                return True
        return any(getattr(self, c) not in (None, "", ()) for c in colonnes)

    @property
    def identite(self):
        return _cle_doublon(self.nom or "", self.prenom or ""), self.date_naissance

    @property
    def duree_fixe(self) -> int | None:
        """Lot 2: always the same duration (8 months)."""
        lot = self.lot
        return lot.duree_min_mois if lot and lot.duree_min_mois == lot.duree_max_mois else None

    @property
    def duree_effective(self) -> int | None:
        if self.decision != Decision.VALIDEE:
            return None
        return self.duree_fixe or self.duree_mois

    def evaluation(self, colonnes) -> tuple | None:
        valeurs = tuple(getattr(self, c) for c in colonnes)
        return None if all(v is None for v in valeurs) else valeurs

    @property
    def stage(self) -> tuple | None:
        if not self.stage_entreprise:
            return None
        return normalise(self.stage_entreprise), self.stage_debut, self.stage_fin

    def fin_prevue(self, jours_suspendus: int = 0) -> date | None:
        if self.date_entree is None or self.duree_effective is None:
            return None
        return fin_prevue_du_parcours(self.date_entree, self.duree_effective, jours_suspendus)

    def signature(self) -> dict:
        """What the row states, in comparable form: equal signatures, unchanged row."""

        def pk(objet):
            return objet.pk if objet else None

        return {
            "nom": self.identite,
            "genre": self.genre,
            "niveau_formation": pk(self.niveau_formation),
            "commune": pk(self.commune),
            "lot": pk(self.lot),
            "reconnaissance_crhd": self.reconnaissance_crhd,
            "prestataire": pk(self.prestataire),
            "conseiller": pk(self.conseiller),
            "travailleur_social": pk(self.travailleur_social),
            "date_prescription": self.date_prescription,
            "motif_prescription": self.motif_prescription or "",
            "freins": frozenset(map(pk, self.freins)),
            "decision": (
                self.decision or "",
                self.date_commission,
                pk(self.motif_refus),
                self.duree_effective,
            ),
            "session": self.session or "",
            "date_entree": self.date_entree,
            "date_sortie": (
                self.date_sortie,
                pk(self.type_sortie),
                bool(self.sortie_anticipee),
                self.motif_sortie_anticipee or "",
            ),
            "stage_entreprise": self.stage,
            "satisfaction": self.satisfaction,
            "eval_entree_projet": self.evaluation(EVAL_ENTREE),
            "eval_sortie_projet": self.evaluation(EVAL_SORTIE),
            "bilan_transmis": self.bilan_transmis,
        }


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


# --- What the file refers to, loaded once -------------------------------------------------------


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
        return [_texte(v) for v in self.donnees[nom]] if nom in self.donnees.headers else []

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
            (_cle_doublon(nom, prenom), naissance)
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


# --- The rules of a row -----------------------------------------------------------------------


def _lisible(valeur) -> str:
    if isinstance(valeur, date):
        return f"{valeur:%d/%m/%Y}"
    return getattr(valeur, "code", None) or str(valeur)


class Verification:
    """The rules of CONTRACTS.md §2 on one row (completed from the database for a reference
    already imported), with the rows read before it (same reference, person, session)."""

    def __init__(self, ligne: LigneImport, base: EnBase | None, resource, erreurs: dict):
        self.ligne, self.base, self.resource, self.erreurs = ligne, base, resource, erreurs
        self.contexte = resource.contexte
        self.invalides = set(erreurs)
        self.jours_suspendus = base.jours_suspendus if base else 0

    def erreur(self, colonne, message):
        self.erreurs.setdefault(colonne, []).append(message)

    def rempli(self, colonne) -> bool:
        return getattr(self.ligne, colonne) not in (None, "", ())

    def vide(self, colonne) -> bool:
        """Empty, and not because its value could not be read (that error is enough)."""
        return not self.rempli(colonne) and colonne not in self.invalides

    def pas_dans_le_futur(self, colonne, libelle):
        jour = getattr(self.ligne, colonne)
        if jour and jour > self.resource.aujourd_hui:
            self.erreur(colonne, f"{libelle} ({jour:%d/%m/%Y}) est dans le futur")

    def verifier(self):
        for regle in (
            self.obligatoires,
            self.reference,
            self.personne,
            self.prescription,
            self.decision,
            self.session,
            self.entree_et_sortie,
            self.stage,
            self.evaluations,
            self.bilan,
            self.historique,
        ):
            regle()

    def obligatoires(self):
        for colonne in OBLIGATOIRES:
            if self.vide(colonne):
                self.erreur(colonne, "obligatoire")

    def reference(self):
        reference = self.ligne.reference
        if not reference:
            return
        if reference in self.contexte.references_saisies:
            self.erreur(
                "reference",
                f"« {reference} » est la référence d'une prescription saisie dans l'application : "
                "seules les prescriptions importées se réimportent",
            )
        premiere = self.resource.vues_references.setdefault(reference, self.ligne.ligne)
        if premiere != self.ligne.ligne:
            self.erreur("reference", f"référence déjà utilisée ligne {premiere}")

    def personne(self):
        ligne = self.ligne
        if ligne.date_naissance and ligne.date_prescription:
            age = age_le(ligne.date_naissance, ligne.date_prescription)
            if age < AGE_MINIMUM:
                self.erreur(
                    "date_naissance",
                    f"la personne a {max(age, 0)} ans à la date de prescription : "
                    f"{AGE_MINIMUM} ans au moins",
                )
        if not (ligne.nom and ligne.prenom and ligne.date_naissance):
            return
        autre = self.resource.vues_personnes.setdefault(ligne.identite, ligne)
        if autre is ligne:
            return
        for colonne in ("genre", "niveau_formation", "commune"):
            avant, ici = getattr(autre, colonne), getattr(ligne, colonne)
            if avant and ici and avant != ici:
                self.erreur(
                    colonne,
                    f"la même personne a « {_lisible(avant)} » ligne {autre.ligne} : "
                    "une seule valeur par personne",
                )

    def prescription(self):
        ligne = self.ligne
        self.pas_dans_le_futur("date_prescription", "la date de prescription")
        if (
            ligne.prestataire
            and ligne.lot
            and not self.contexte.attribution(ligne.prestataire, ligne.lot, None)
        ):
            self.erreur(
                "prestataire",
                f"{ligne.prestataire.code} ne détient pas le lot {ligne.lot.numero}",
            )

    def decision(self):
        ligne, decision = self.ligne, self.ligne.decision
        decision_lisible = "decision" not in self.invalides
        if decision and self.vide("date_commission"):
            self.erreur("date_commission", "obligatoire avec une décision")
        if ligne.date_commission and self.vide("decision"):
            self.erreur(
                "decision", "obligatoire avec une date de commission (validee, refusee, ajournee)"
            )
        if (
            ligne.date_commission
            and ligne.date_prescription
            and ligne.date_commission < ligne.date_prescription
        ):
            self.erreur("date_commission", "la date de commission précède la date de prescription")
        self.pas_dans_le_futur("date_commission", "la date de commission")
        if decision == Decision.REFUSEE and self.vide("motif_refus"):
            self.erreur("motif_refus", "obligatoire pour une décision refusée (un code de frein)")
        if ligne.motif_refus and decision != Decision.REFUSEE and decision_lisible:
            self.erreur("motif_refus", "seulement pour une décision refusée")
        lot = ligne.lot
        if lot is None:
            return
        if ligne.duree_fixe:
            if ligne.duree_mois is not None:
                self.erreur(
                    "duree_mois",
                    f"à laisser vide au lot {lot.numero} : la durée y est toujours de "
                    f"{ligne.duree_fixe} mois",
                )
        elif ligne.duree_mois is not None and decision != Decision.VALIDEE:
            if decision_lisible:
                self.erreur("duree_mois", "seulement pour une décision validée")
        elif decision == Decision.VALIDEE:
            bornes = f"{lot.duree_min_mois} à {lot.duree_max_mois} mois"
            if self.vide("duree_mois"):
                self.erreur(
                    "duree_mois", f"obligatoire pour une décision validée au lot {lot.numero} "
                    f"({bornes})"
                )  # fmt: skip
            elif ligne.duree_mois is not None and not (
                lot.duree_min_mois <= ligne.duree_mois <= lot.duree_max_mois
            ):
                self.erreur(
                    "duree_mois", f"{ligne.duree_mois} mois : de {bornes} au lot {lot.numero}"
                )

    def session(self):
        ligne, session = self.ligne, self.ligne.session
        if ligne.date_entree and self.vide("session"):
            self.erreur("session", "obligatoire avec une date d'entrée")
        if not session or "session" not in ligne.enonces:
            return
        if ligne.decision != Decision.VALIDEE and "decision" not in self.invalides:
            self.erreur(
                "session",
                "seulement pour une prescription validée : la session est le bon de commande "
                "qui a lancé les parcours",
            )
        bon = self.contexte.bons.get(session)
        if bon and not bon.importe:
            self.erreur(
                "session",
                f"« {session} » est le numéro d'un bon de commande émis dans l'application",
            )
        elif bon:
            if ligne.lot and ligne.lot.pk != bon.lot_id:
                lot = self.contexte.lots_par_pk[bon.lot_id]
                self.erreur("lot", f"la session {session} est au lot {lot.numero}")
            if ligne.prestataire and ligne.prestataire.pk != bon.prestataire_id:
                self.erreur(
                    "prestataire",
                    f"la session {session} est celle de "
                    f"{self.contexte.prestataires_par_pk[bon.prestataire_id].code}",
                )
        premiere = self.resource.vues_sessions.setdefault(session, ligne)
        if premiere is ligne:
            return
        if ligne.lot and premiere.lot and ligne.lot != premiere.lot:
            self.erreur(
                "lot", f"la session {session} est au lot {premiere.lot.numero} "
                f"(ligne {premiere.ligne}) : une session a un seul lot"
            )  # fmt: skip
        if ligne.prestataire and premiere.prestataire and ligne.prestataire != premiere.prestataire:
            self.erreur(
                "prestataire",
                f"la session {session} est celle de {premiere.prestataire.code} "
                f"(ligne {premiere.ligne}) : une session a un seul prestataire",
            )

    def entree_et_sortie(self):
        """prescription ≤ commission ≤ entrée ≤ sortie; an exit is typed; an early exit has
        its reason; an exit at term comes at the planned end, after a stage (DOMAIN.md)."""
        ligne = self.ligne
        if ligne.date_entree:
            if ligne.decision != Decision.VALIDEE and "decision" not in self.invalides:
                self.erreur("date_entree", "seulement pour une décision validée")
            if ligne.date_commission and ligne.date_entree < ligne.date_commission:
                self.erreur("date_entree", "la date d'entrée précède la date de commission")
            self.pas_dans_le_futur("date_entree", "la date d'entrée")
        if ligne.date_sortie:
            if self.vide("date_entree"):
                self.erreur("date_sortie", "une sortie suppose une date d'entrée")
            elif ligne.date_entree and ligne.date_sortie < ligne.date_entree:
                self.erreur("date_sortie", "la date de sortie précède la date d'entrée")
            self.pas_dans_le_futur("date_sortie", "la date de sortie")
            if self.vide("type_sortie"):
                self.erreur("type_sortie", "obligatoire avec une date de sortie")
        elif ligne.type_sortie and "date_sortie" not in self.invalides:
            self.erreur("type_sortie", "seulement avec une date de sortie")
        if ligne.sortie_anticipee:
            if self.vide("date_sortie"):
                self.erreur("sortie_anticipee", "une sortie anticipée suppose une date de sortie")
            if self.vide("motif_sortie_anticipee"):
                self.erreur("motif_sortie_anticipee", "obligatoire pour une sortie anticipée")
        elif ligne.motif_sortie_anticipee and "sortie_anticipee" not in self.invalides:
            self.erreur(
                "motif_sortie_anticipee",
                "seulement pour une sortie anticipée (sortie_anticipee = oui)",
            )
        au_terme = (
            ligne.date_sortie
            and ligne.date_entree
            and ligne.date_entree <= ligne.date_sortie
            and not ligne.sortie_anticipee
            and "sortie_anticipee" not in self.invalides
        )
        if au_terme:
            fin = ligne.fin_prevue(self.jours_suspendus)
            if fin and ligne.date_sortie < fin:
                self.erreur(
                    "date_sortie",
                    f"le terme du parcours est le {fin:%d/%m/%Y} : une sortie avant est une "
                    "sortie anticipée (sortie_anticipee = oui)",
                )
            if self.vide("stage_entreprise") and not (self.base and self.base.a_un_stage):
                self.erreur(
                    "stage_entreprise",
                    "un parcours mené à son terme comprend un stage en entreprise",
                )
        if ligne.satisfaction is not None:
            if not 1 <= ligne.satisfaction <= 5:
                self.erreur("satisfaction", f"{ligne.satisfaction} : entre 1 et 5")
            if self.vide("date_entree"):
                self.erreur("satisfaction", "seulement pour une personne entrée en parcours")

    def stage(self):
        ligne = self.ligne
        remplies = [c for c in STAGE if self.rempli(c) or c in self.invalides]
        if not remplies:
            return
        for colonne in STAGE:
            if self.vide(colonne):
                self.erreur(
                    colonne,
                    "à remplir : un stage a son entreprise, son premier et son dernier jour",
                )
        if self.vide("date_entree"):
            self.erreur(remplies[0], "un stage suppose une entrée en parcours (date_entree)")
        debut, fin = ligne.stage_debut, ligne.stage_fin
        if debut and fin and fin < debut:
            self.erreur("stage_fin", "le dernier jour du stage précède le premier")
        if debut and ligne.date_entree and debut < ligne.date_entree:
            self.erreur(
                "stage_debut",
                f"le stage commence avant l'entrée en parcours ({ligne.date_entree:%d/%m/%Y})",
            )
        self.pas_dans_le_futur("stage_debut", "le premier jour du stage")
        limite = ligne.date_sortie or ligne.fin_prevue(self.jours_suspendus)
        if fin and limite and fin > limite:
            quoi = "la sortie" if ligne.date_sortie else "la fin prévue"
            self.erreur("stage_fin", f"le stage finit après {quoi} du parcours ({limite:%d/%m/%Y})")

    def evaluations(self):
        for colonnes in (EVAL_ENTREE, EVAL_SORTIE):
            remplies = [c for c in colonnes if self.rempli(c)]
            if not remplies and not self.invalides.intersection(colonnes):
                continue
            for colonne in colonnes:
                if self.vide(colonne):
                    self.erreur(
                        colonne, "à remplir : les quatre axes d'une évaluation vont ensemble"
                    )
            for colonne in remplies:
                valeur = getattr(self.ligne, colonne)
                if not 1 <= valeur <= 4:
                    self.erreur(colonne, f"{valeur} : entre 1 et 4")
            if self.vide("date_entree"):
                self.erreur(
                    colonnes[0], "une évaluation suppose une entrée en parcours (date_entree)"
                )

    def bilan(self):
        ligne, jour = self.ligne, self.ligne.bilan_transmis
        if not jour or "bilan_transmis" not in ligne.enonces:
            return
        self.pas_dans_le_futur("bilan_transmis", "la date de transmission du bilan")
        if self.vide("session"):
            self.erreur("bilan_transmis", "seulement sur une ligne qui a une session")
            return
        premiere = self.resource.vues_bilans.setdefault(ligne.session, ligne)
        if premiere is not ligne and premiere.bilan_transmis != jour:
            self.erreur(
                "bilan_transmis",
                f"la session {ligne.session} a un autre bilan_transmis ligne {premiere.ligne} "
                f"({premiere.bilan_transmis:%d/%m/%Y})",
            )
        bilan = self.contexte.bilan_de(ligne, self.base)
        if (
            bilan
            and bilan.process_id
            and bilan.etat != EtatBilan.A_REDIGER
            and bilan.transmis_le != jour
        ):
            self.erreur(
                "bilan_transmis",
                f"le bilan de la session {ligne.session} est suivi dans l'application "
                f"(état « {bilan.get_etat_display()} ») : il se transmet depuis sa page",
            )

    def historique(self):
        """What an import cannot restate about a reference already imported."""
        if self.base is None:
            return
        ligne, avant = self.ligne, self.base.comme_ligne
        reference = ligne.reference
        if ligne.lot and ligne.lot != avant.lot:
            self.erreur(
                "lot", f"la référence {reference} a été importée au lot {avant.lot.numero} : "
                "le lot d'une prescription importée ne change pas"
            )  # fmt: skip
        if ligne.prestataire and ligne.prestataire != avant.prestataire:
            self.erreur(
                "prestataire",
                f"la référence {reference} a été importée chez {avant.prestataire.code} : "
                "le prestataire d'une prescription importée ne change pas",
            )
        if "decision" in ligne.enonces and avant.decision and ligne.decision:
            decision = (ligne.decision, ligne.date_commission, ligne.motif_refus)
            if decision + (ligne.duree_effective,) == (
                avant.decision, avant.date_commission, avant.motif_refus, avant.duree_effective
            ):  # fmt: skip
                pass
            elif avant.decision == Decision.AJOURNEE:
                if ligne.date_commission and ligne.date_commission <= avant.date_commission:
                    self.erreur(
                        "date_commission",
                        f"la référence {reference} a été ajournée le "
                        f"{avant.date_commission:%d/%m/%Y} : la décision suivante est "
                        "postérieure",
                    )
            else:
                self.erreur(
                    "decision",
                    f"la référence {reference} a été importée avec la décision "
                    f"« {Decision(avant.decision).label.lower()} » du "
                    f"{avant.date_commission:%d/%m/%Y} (durée, motif compris) : une décision "
                    "enregistrée ne change pas par un nouvel import",
                )
        if "session" in ligne.enonces and avant.session and ligne.session != avant.session:
            self.erreur(
                "session",
                f"la référence {reference} est dans la session {avant.session} : la session "
                "d'une personne commandée ne change pas",
            )


# --- The import-export resource -------------------------------------------------------------


def _decisions():
    return {d.value: d.value for d in Decision}


class HistoriqueResource(resources.Resource):
    """Reads and checks the rows (import-export's row loop, `Result` and `RowResult`); writes
    nothing: the valid rows are collected in `a_ecrire` and written together by `Ecriture`."""

    reference = _colonne("reference", Texte(50))
    nom = _colonne("nom", Texte(100))
    prenom = _colonne("prenom", Texte(100))
    date_naissance = _colonne("date_naissance", Date())
    genre = _colonne("genre", Choix({"f": "F", "m": "M", "x": "X"}, "F, M ou X"))
    niveau_formation = _colonne("niveau_formation", Reference("niveau de formation"))
    commune = _colonne("commune", CommuneWidget())
    lot = _colonne("lot", Reference("lot", lecture=str, attendu="1 ou 2"))
    prestataire = _colonne("prestataire", Reference("prestataire", lecture=str.upper))
    conseiller = _colonne("conseiller", Reference("conseiller à l'emploi", lecture=str))
    travailleur_social = _colonne(
        "travailleur_social", Reference("travailleur social", lecture=str)
    )
    date_prescription = _colonne("date_prescription", Date())
    motif_prescription = _colonne("motif_prescription", Texte())
    freins = _colonne("freins", Codes("frein"))
    date_commission = _colonne("date_commission", Date())
    decision = _colonne("decision", Choix(_decisions(), "validee, refusee ou ajournee"))
    motif_refus = _colonne("motif_refus", Reference("motif de refus (code de frein)"))
    duree_mois = _colonne("duree_mois", Entier())
    session = _colonne("session", Texte(50))
    date_entree = _colonne("date_entree", Date())
    date_sortie = _colonne("date_sortie", Date())
    type_sortie = _colonne("type_sortie", Reference("type de sortie"))
    sortie_anticipee = _colonne(
        "sortie_anticipee", Choix({"oui": True, "non": False}, "oui ou non")
    )
    motif_sortie_anticipee = _colonne("motif_sortie_anticipee", Texte())
    stage_entreprise = _colonne("stage_entreprise", Texte(200))
    stage_debut = _colonne("stage_debut", Date())
    stage_fin = _colonne("stage_fin", Date())
    satisfaction = _colonne("satisfaction", Entier())
    eval_entree_projet = _colonne("eval_entree_projet", Entier())
    eval_entree_freins = _colonne("eval_entree_freins", Entier())
    eval_entree_engagement = _colonne("eval_entree_engagement", Entier())
    eval_entree_savoir_etre = _colonne("eval_entree_savoir_etre", Entier())
    eval_sortie_projet = _colonne("eval_sortie_projet", Entier())
    eval_sortie_freins = _colonne("eval_sortie_freins", Entier())
    eval_sortie_engagement = _colonne("eval_sortie_engagement", Entier())
    eval_sortie_savoir_etre = _colonne("eval_sortie_savoir_etre", Entier())
    bilan_transmis = _colonne("bilan_transmis", Date())

    class Meta:
        instance_loader_class = BaseInstanceLoader
        import_id_fields = ["reference"]
        skip_diff = True
        store_instance = True
        store_row_values = True
        use_transactions = False  # `importer()` holds the one transaction

    def __init__(self, contexte: Contexte, numeros_de_ligne: list[int]):
        super().__init__()
        self.contexte, self.numeros_de_ligne = contexte, numeros_de_ligne
        self.aujourd_hui = today()
        for nom, objets in (
            ("niveau_formation", contexte.niveaux),
            ("lot", contexte.lots),
            ("prestataire", contexte.prestataires),
            ("conseiller", contexte.conseillers),
            ("travailleur_social", contexte.travailleurs_sociaux),
            ("freins", contexte.freins),
            ("motif_refus", contexte.freins),
            ("type_sortie", contexte.types_sortie),
        ):
            self.fields[nom].widget.objets = objets
        self.lignes: list[LigneImport] = []
        self.a_ecrire: list[tuple[LigneImport, bool]] = []
        self.vues_references, self.vues_personnes = {}, {}
        self.vues_sessions, self.vues_bilans = {}, {}

    def before_import_row(self, row, **kwargs):
        self._ligne = self.numeros_de_ligne[kwargs["row_number"] - 1]

    def get_or_init_instance(self, instance_loader, row):
        ligne = LigneImport(self._ligne)
        self.lignes.append(ligne)
        return ligne, _texte(row.get("reference")) not in self.contexte.existantes

    def import_instance(self, instance, row, **kwargs):
        erreurs = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as invalides:
            erreurs = {
                colonne: list(messages) for colonne, messages in invalides.message_dict.items()
            }
        instance.enonces = {
            bloc
            for bloc, colonnes in BLOCS.items()
            if instance.bloc_rempli(bloc) or erreurs.keys() & set(colonnes)
        }
        base = self.contexte.existantes.get(instance.reference)
        if base:
            avant = base.comme_ligne
            for bloc, colonnes in BLOCS.items():
                if bloc not in instance.enonces:
                    for colonne in colonnes:
                        setattr(instance, colonne, getattr(avant, colonne))
            instance.reconnaissance_crhd = avant.reconnaissance_crhd
        if instance.lot and instance.lot.reconnaissance_crhd_requise:
            instance.reconnaissance_crhd = True  # CONTRACTS.md §2: lot 2, recognised by the CRHD
        Verification(instance, base, self, erreurs).verifier()
        if erreurs:
            raise ValidationError(erreurs)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged: a reference already imported whose every block matches the database."""
        base = self.contexte.existantes.get(instance.reference)
        if import_validation_errors or base is None:
            return False
        avant, apres = base.comme_ligne.signature(), instance.signature()
        instance.changements = [colonne for colonne in apres if apres[colonne] != avant[colonne]]
        return not instance.changements

    def save_instance(self, instance, is_create, row, **kwargs):
        self.a_ecrire.append((instance, is_create))


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
        from reporting.services import suivre_bilan

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
        from reporting.services import enregistrer_bilan_transmis

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
        from reporting.services import actualiser_bilan

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


# --- The import -------------------------------------------------------------------------------

ACTIONS = {
    RowResult.IMPORT_TYPE_NEW: "Nouvelle",
    RowResult.IMPORT_TYPE_UPDATE: "Mise à jour",
    RowResult.IMPORT_TYPE_SKIP: "Inchangée",
    RowResult.IMPORT_TYPE_INVALID: "Erreur",
}


@dataclass
class LigneApercu:
    """One row of the preview: what the import does with it, or why it cannot."""

    ligne: int
    action: str
    reference: str
    nom: str
    prenom: str
    lot: str
    session: str
    decision: str
    changements: list[str]
    erreurs: list[Erreur]

    @property
    def libelle_action(self) -> str:
        return ACTIONS[self.action]


@dataclass
class Rapport:
    fichier: Fichier
    essai: bool
    lignes: list[LigneApercu] = field(default_factory=list)
    erreurs: list[Erreur] = field(default_factory=list)
    crees: int = 0
    mises_a_jour: int = 0
    inchangees: int = 0
    journal: ImportParcours | None = None

    @property
    def valide(self) -> bool:
        return not self.erreurs

    def resume(self) -> str:
        if self.essai:
            return (
                f"Essai à blanc de {self.fichier.nom}, rien n'est écrit : {len(self.lignes)} "
                f"lignes ; à créer : {self.crees}, à mettre à jour : {self.mises_a_jour}, "
                f"inchangées : {self.inchangees}."
            )
        return (
            f"Import de {self.fichier.nom} : {len(self.lignes)} lignes ; créées : {self.crees}, "
            f"mises à jour : {self.mises_a_jour}, inchangées : {self.inchangees}."
        )


def _apercu(resource: HistoriqueResource, resultat) -> tuple[list[LigneApercu], list[Erreur]]:
    lignes, erreurs = [], []
    for ligne, rangee in zip(resource.lignes, resultat.rows, strict=True):
        valeurs = rangee.row_values
        erreurs_de_la_ligne = []
        if rangee.validation_error is not None:
            for colonne, messages in rangee.validation_error.message_dict.items():
                colonne = "reference" if colonne == NON_FIELD_ERRORS else colonne
                erreurs_de_la_ligne += [Erreur(ligne.ligne, colonne, m) for m in messages]
            erreurs_de_la_ligne.sort(key=_ordre)
        erreurs += erreurs_de_la_ligne
        lignes.append(
            LigneApercu(
                ligne=ligne.ligne,
                action=rangee.import_type,
                reference=_texte(valeurs.get("reference")),
                nom=_texte(valeurs.get("nom")),
                prenom=_texte(valeurs.get("prenom")),
                lot=_texte(valeurs.get("lot")),
                session=_texte(valeurs.get("session")),
                decision=_texte(valeurs.get("decision")),
                changements=ligne.changements,
                erreurs=erreurs_de_la_ligne,
            )
        )
    return lignes, erreurs


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
            rapport.lignes, erreurs = _apercu(resource, resultat)
            rapport.erreurs = sorted(rapport.erreurs + erreurs, key=_ordre)
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
