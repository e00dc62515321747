"""Import of the parcours history (docs/contrats.md §2): the DEL's and the prestataires' follow-up
spreadsheets brought into the application, by the `import_parcours` command and by the
"Import de l'historique" page, which both call `importer()`.

A file is read as a stream (CSV through the standard library, which keeps the line numbers the
messages give; XLSX with openpyxl's read-only mode) and handled by batches of 1 000 rows: each
row's cells are read by django-import-export widgets, the row is checked and told new, updated
or unchanged, with its errors and warnings, for the page's preview (`Rapport.lignes`); each
batch is then written, in bulk, while no row so far was refused. Everything happens in one
transaction: a row refused in a later batch rolls back what was written. The number of queries
grows with the number of batches, not of rows; memory, with the batch (the report keeps a few
texts per row).

The package, in the order its modules import one another: `colonnes` (the contract's columns
and the widgets that read a cell), `lecture` (the CSV or XLSX file as a stream of rows), `ligne`
(one row, read), `contexte` (what a batch's rows refer to), `verification` (the rules of a row),
`controle` (a row read, completed and checked), `insertion` (new records by COPY on
PostgreSQL), `suivi` and `sessions` then `ecriture` (writing), `rapport` (the preview, the
warnings and the counts); `importer()`, here, is the one entry point.

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
- Refusals and warnings (docs/contrats.md §2): only the column rules of the table, the order
  prescription ≤ commission ≤ entry ≤ exit, a stage inside the parcours, `type_sortie` only
  with `date_sortie` and the re-import rules refuse a row (a satisfaction, an evaluation or a
  stage without an entry are refused too: they belong to a started parcours and could not be
  recorded as written). What the application's screens refuse for another reason is imported
  as written with a warning `line N: column: message`: an exit "at term" before the planned
  end, an exit at term without a stage, a date in the future, a person under the minimum age,
  one person given two genders, levels or communes (the last row wins).
- Speed: the imported references are read as plain values (`contexte.EnBase`) for the checks
  and the comparison, as model instances (`contexte.Dossier`) only for the rows to update: an
  unchanged re-import builds none. import-export's row loop (a `Resource`: a `Field`, a
  `RowResult` and a diff per cell or row) cost half of the checking and is not used. New
  records go by COPY on PostgreSQL (`insertion`), and an import of 1 000 rows or more analyses
  the tables it loaded (without statistics, PostgreSQL read whole tables for each batch of the
  next import). An unchanged row (every block equal to the database's) is checked again only
  by the rules across rows, and warns of nothing: it writes nothing. A session's bilan still
  owed starts its viewflow process: a fixed number of queries per such session.
- Person: matched on identity (name and first name folded, date of birth: the rule of
  `Demandeur.cle_doublon` and its unique constraint), created otherwise; the file states the
  person's gender, education level and commune (the latest row and import win), and a row on
  lot 2 records the CRHD recognition.
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

from collections.abc import Callable
from itertools import islice

from django.db import transaction

from remunerations import stockage

from ..models import ImportParcours
from .colonnes import COLONNES, OBLIGATOIRES, ordre
from .contexte import Contexte, Referentiels
from .controle import INCHANGEE, INVALIDE, MISE_A_JOUR, NOUVELLE, Controle
from .ecriture import Ecriture, utilisateur_de_reprise
from .lecture import Fichier, FichierIllisible, compter_lignes, lire
from .rapport import Rapport

__all__ = [
    "COLONNES",
    "OBLIGATOIRES",
    "Fichier",
    "FichierIllisible",
    "Progression",
    "Rapport",
    "compter_lignes",
    "importer",
    "utilisateur_de_reprise",
]

# Rows read, checked and written together: what the import holds in memory at a time.
TAILLE_DES_PAQUETS = 1000

# What an import reports while it runs: its step ("verification" or "ecriture"), the rows
# done in that step and the rows in all, after each batch. Background imports show it as a
# progress bar.
Progression = Callable[[str, int, int], None]


def _sans_suivi(etape: str, faites: int, total: int) -> None:
    pass


class _Annulation(Exception):
    """Leaves the transaction of an import that wrote batches before a row was refused."""


def _paquets(rangees, taille):
    rangees = iter(rangees)
    while paquet := list(islice(rangees, taille)):
        yield paquet


def importer(
    fichier: Fichier,
    *,
    par,
    essai: bool = False,
    progression: Progression = _sans_suivi,
    taille_des_paquets: int = TAILLE_DES_PAQUETS,
) -> Rapport:
    """Check every row of the file and, when all are valid and it is not a dry run (`essai`),
    write them, all in one transaction. Raises FichierIllisible for a file that cannot be
    read. The journal keeps every import that wrote and every dry run. `progression` is told
    how far the import has gone (see `Progression`).

    The file is read as a stream and handled by batches of `taille_des_paquets` rows: each is
    checked, then written while no row so far was refused; a row refused later rolls back
    what was written (the transaction is one), and the rows after it are still checked, so
    that every error is reported."""
    tableau = lire(fichier)
    total = tableau.total
    progression("verification", 0, total)
    rapport = Rapport(fichier=fichier, essai=essai, erreurs=list(tableau.erreurs))
    comptes = {NOUVELLE: 0, MISE_A_JOUR: 0, INCHANGEE: 0, INVALIDE: 0}
    try:
        with transaction.atomic():
            referentiels = Referentiels()
            controle = Controle(referentiels)
            ecriture = Ecriture(par)
            verifiees = ecrites = 0
            prestataires_ecrits = set()  # whose stipends the written rows may change
            rangees = tableau.rangees() if tableau.entete_valide else ()
            for paquet in _paquets(rangees, taille_des_paquets):
                contexte = Contexte(
                    referentiels, [rangee for _, rangee in paquet], controle.vues_references
                )
                controle.contexte = contexte
                a_ecrire = []
                for rang, rangee in paquet:
                    ligne, apercu = controle.controler(rang, rangee)
                    comptes[apercu.action] += 1
                    rapport.lignes.append(apercu)
                    rapport.erreurs += apercu.erreurs
                    rapport.avertissements += apercu.avertissements
                    if apercu.action in (NOUVELLE, MISE_A_JOUR):
                        a_ecrire.append(ligne)
                verifiees += len(paquet)
                progression("verification", verifiees, total)
                if rapport.valide and not essai:
                    ecriture.ecrire(contexte, a_ecrire)
                    prestataires_ecrits.update(ligne.prestataire.pk for ligne in a_ecrire)
                    ecrites += len(paquet)
                    progression("ecriture", ecrites, total)
            rapport.erreurs.sort(key=ordre)
            rapport.crees = comptes[NOUVELLE]
            rapport.mises_a_jour = comptes[MISE_A_JOUR]
            rapport.inchangees = comptes[INCHANGEE]
            if not (rapport.valide or essai):
                raise _Annulation
            if rapport.valide and not essai:
                ecriture.terminer()
                if prestataires_ecrits:
                    # Parcours written in bulk send no signal: their prestataires' stipends are
                    # brought up to date here, in the import's transaction.
                    stockage.actualiser(prestataire_ids=prestataires_ecrits)
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
    except _Annulation:
        pass
    return rapport
