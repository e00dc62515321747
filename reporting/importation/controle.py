"""Reading and checking the rows, batch by batch: each cell read by its column's widget, the row
completed from the database for a reference already imported, checked (`Verification`), and
told new, updated or unchanged. It writes nothing: the valid rows of a batch are handed to
`Ecriture`. django-import-export's widgets read the cells; its row loop (a `Resource`), which
cost half the time of checking a file (a `Field`, a `RowResult` and a diff per cell or row),
is not used."""

from dataclasses import dataclass

from procurement.enums import Decision
from procurement.models import today

from .colonnes import (
    BLOCS,
    Choix,
    Codes,
    CommuneWidget,
    Date,
    Entier,
    Erreur,
    Reference,
    Texte,
    en_texte,
    ordre,
)
from .contexte import Contexte, Referentiels
from .ligne import LigneImport
from .verification import Verification, Vue

# What the file's row becomes (the codes of import-export's `RowResult`, which the page knew).
NOUVELLE, MISE_A_JOUR, INCHANGEE, INVALIDE = "new", "update", "skip", "invalid"
ACTIONS = {
    NOUVELLE: "Nouvelle",
    MISE_A_JOUR: "Mise à jour",
    INCHANGEE: "Inchangée",
    INVALIDE: "Erreur",
}


@dataclass(slots=True)
class LigneApercu:
    """One row of the preview: what the import does with it, or why it cannot, and what it
    imports that the application's screens would have refused (its warnings)."""

    ligne: int
    action: str
    reference: str
    nom: str
    prenom: str
    lot: str
    session: str
    decision: str
    # Tuples: an empty one costs nothing, and a file may have 100 000 rows.
    changements: tuple[str, ...]
    erreurs: tuple[Erreur, ...]
    avertissements: tuple[Erreur, ...]

    @property
    def libelle_action(self) -> str:
        return ACTIONS[self.action]


def _decisions():
    return {d.value: d.value for d in Decision}


def lecteurs(referentiels: Referentiels) -> dict:
    """Each column's widget: the cell as a value, or a ValueError with a French message."""
    lecteurs = {
        "reference": Texte(50),
        "nom": Texte(100),
        "prenom": Texte(100),
        "date_naissance": Date(),
        "genre": Choix({"f": "F", "m": "M", "x": "X"}, "F, M ou X"),
        "niveau_formation": Reference("niveau de formation"),
        "commune": CommuneWidget(),
        "lot": Reference("lot", lecture=str, attendu="1 ou 2"),
        "prestataire": Reference("prestataire", lecture=str.upper),
        "conseiller": Reference("conseiller à l'emploi", lecture=str),
        "travailleur_social": Reference("travailleur social", lecture=str),
        "date_prescription": Date(),
        "motif_prescription": Texte(),
        "freins": Codes("frein"),
        "date_commission": Date(),
        "decision": Choix(_decisions(), "validee, refusee ou ajournee"),
        "motif_refus": Reference("motif de refus (code de frein)"),
        "duree_mois": Entier(),
        "session": Texte(50),
        "date_entree": Date(),
        "date_sortie": Date(),
        "type_sortie": Reference("type de sortie"),
        "sortie_anticipee": Choix({"oui": True, "non": False}, "oui ou non"),
        "motif_sortie_anticipee": Texte(),
        "stage_entreprise": Texte(200),
        "stage_debut": Date(),
        "stage_fin": Date(),
        "satisfaction": Entier(),
        "bilan_transmis": Date(),
    }
    for axe in ("projet", "freins", "engagement", "savoir_etre"):
        lecteurs[f"eval_entree_{axe}"] = Entier()
        lecteurs[f"eval_sortie_{axe}"] = Entier()
    for nom, objets in (
        ("niveau_formation", referentiels.niveaux),
        ("lot", referentiels.lots),
        ("prestataire", referentiels.prestataires),
        ("conseiller", referentiels.conseillers),
        ("travailleur_social", referentiels.travailleurs_sociaux),
        ("freins", referentiels.freins),
        ("motif_refus", referentiels.freins),
        ("type_sortie", referentiels.types_sortie),
    ):
        lecteurs[nom].objets = objets
    return lecteurs


class Controle:
    """Reads and checks the rows of one import, batch after batch, remembering across batches
    the references, people, sessions and bilans its rows named."""

    def __init__(self, referentiels: Referentiels):
        self.lecteurs = lecteurs(referentiels)
        # An empty cell's value, per column (most cells of a file are empty).
        self.vides = {colonne: lecteur.clean(None) for colonne, lecteur in self.lecteurs.items()}
        self.aujourd_hui = today()
        self.contexte: Contexte | None = None
        self.vues_references: dict[str, int] = {}
        self.vues_personnes: dict[tuple, Vue] = {}
        self.vues_sessions: dict[str, Vue] = {}
        self.vues_bilans: dict[str, Vue] = {}

    def lire(self, rang: int, rangee: dict) -> tuple[LigneImport, dict]:
        """The row's cells as values, and the errors of those that cannot be read."""
        ligne, erreurs = LigneImport(rang), {}
        lecteurs, vides = self.lecteurs, self.vides
        for colonne, cellule in rangee.items():
            if cellule is None or cellule == "":
                setattr(ligne, colonne, vides[colonne])
                continue
            try:
                setattr(ligne, colonne, lecteurs[colonne].clean(cellule))
            except ValueError as erreur:
                erreurs[colonne] = [str(erreur)]
        return ligne, erreurs

    def controler(self, rang: int, rangee: dict) -> tuple[LigneImport, LigneApercu]:
        """One row of the batch whose context is `self.contexte`: read, completed, checked."""
        ligne, erreurs = self.lire(rang, rangee)
        avertissements = {}
        ligne.enonces = {
            bloc
            for bloc, colonnes in BLOCS.items()
            if ligne.bloc_rempli(bloc) or erreurs.keys() & set(colonnes)
        }
        base = self.contexte.existantes.get(ligne.reference)
        if base:
            avant = base.comme_ligne
            for bloc, colonnes in BLOCS.items():
                if bloc not in ligne.enonces:
                    for colonne in colonnes:
                        setattr(ligne, colonne, getattr(avant, colonne))
            ligne.reconnaissance_crhd = avant.reconnaissance_crhd
        if ligne.lot and ligne.lot.reconnaissance_crhd_requise:
            # docs/contrats.md §2: lot 2, recognised by the CRHD.
            ligne.reconnaissance_crhd = True
        verification = Verification(ligne, base, self, erreurs, avertissements)
        if base and not erreurs:
            avant, apres = base.comme_ligne.signature(), ligne.signature()
            ligne.changements = [c for c in apres if apres[c] != avant[c]]
        if base and not erreurs and not ligne.changements:
            # Unchanged: what it states was checked when it was written (a re-import of
            # 10 000 unchanged rows spent a third of its time checking them again).
            verification.verifier_inchangee()
            action = INVALIDE if erreurs else INCHANGEE
        else:
            verification.verifier()
            action = INVALIDE if erreurs else (MISE_A_JOUR if base else NOUVELLE)
        apercu = LigneApercu(
            ligne=rang,
            action=action,
            reference=en_texte(rangee.get("reference")),
            nom=en_texte(rangee.get("nom")),
            prenom=en_texte(rangee.get("prenom")),
            lot=en_texte(rangee.get("lot")),
            session=en_texte(rangee.get("session")),
            decision=en_texte(rangee.get("decision")),
            changements=tuple(ligne.changements),
            erreurs=_liste(rang, erreurs),
            avertissements=_liste(rang, avertissements),
        )
        return ligne, apercu


def _liste(rang: int, messages: dict) -> tuple[Erreur, ...]:
    return tuple(
        sorted(
            (
                Erreur(rang, colonne, message)
                for colonne, liste in messages.items()
                for message in liste
            ),
            key=ordre,
        )
    )
