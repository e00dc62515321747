"""The report of an import: each row's action (new, update, unchanged) or its errors, for the
page's preview, the warnings of the rows imported as written, and the counts the command
prints."""

from dataclasses import dataclass, field

from ..models import ImportParcours
from .colonnes import Erreur
from .controle import LigneApercu
from .lecture import Fichier


@dataclass
class Rapport:
    """`erreurs` refuse the file (nothing is written); `avertissements` do not: each names a
    row the application's screens would have refused, imported as the file states it
    (docs/contrats.md §2). Both are `line N: column: message`, by line then column."""

    fichier: Fichier
    essai: bool
    lignes: list[LigneApercu] = field(default_factory=list)
    erreurs: list[Erreur] = field(default_factory=list)
    avertissements: list[Erreur] = field(default_factory=list)
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
