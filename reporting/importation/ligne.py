"""One row of the file, read: a prescription and what became of it, in the form its checks and
its comparison with the database use."""

from datetime import date
from functools import lru_cache

from prestataires.services import fin_prevue_du_parcours
from procurement.enums import Decision
from procurement.models import cle_doublon
from procurement.text import normalise

from .colonnes import BLOCS, COLONNES, EVAL_ENTREE, EVAL_SORTIE


@lru_cache(maxsize=65536)
def cle_doublon_memorisee(nom: str, prenom: str) -> str:
    return cle_doublon(nom, prenom)


@lru_cache(maxsize=4096)
def normalise_memorise(texte: str) -> str:
    """A company's name as compared (a file names the same few companies again and again)."""
    return normalise(texte)


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
        return cle_doublon_memorisee(self.nom or "", self.prenom or ""), self.date_naissance

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
        return normalise_memorise(self.stage_entreprise), self.stage_debut, self.stage_fin

    def fin_prevue(self, jours_suspendus: int = 0) -> date | None:
        if self.date_entree is None or self.duree_effective is None:
            return None
        return fin_prevue_du_parcours(self.date_entree, self.duree_effective, jours_suspendus)

    def signature(self) -> dict:
        """What the row states, in comparable form: equal signatures, unchanged row."""

        pk = _pk
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


def _pk(objet):
    return objet.pk if objet else None
