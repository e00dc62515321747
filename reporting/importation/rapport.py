"""The report of an import: each row's action (new, update, unchanged) or its errors, for the
page's preview, and the counts the command prints."""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS
from import_export.results import RowResult

from ..models import ImportParcours
from .colonnes import Erreur, en_texte, ordre
from .lecture import Fichier
from .ressource import HistoriqueResource

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


def apercu(resource: HistoriqueResource, resultat) -> tuple[list[LigneApercu], list[Erreur]]:
    lignes, erreurs = [], []
    for ligne, rangee in zip(resource.lignes, resultat.rows, strict=True):
        valeurs = rangee.row_values
        erreurs_de_la_ligne = []
        if rangee.validation_error is not None:
            for colonne, messages in rangee.validation_error.message_dict.items():
                colonne = "reference" if colonne == NON_FIELD_ERRORS else colonne
                erreurs_de_la_ligne += [Erreur(ligne.ligne, colonne, m) for m in messages]
            erreurs_de_la_ligne.sort(key=ordre)
        erreurs += erreurs_de_la_ligne
        lignes.append(
            LigneApercu(
                ligne=ligne.ligne,
                action=rangee.import_type,
                reference=en_texte(valeurs.get("reference")),
                nom=en_texte(valeurs.get("nom")),
                prenom=en_texte(valeurs.get("prenom")),
                lot=en_texte(valeurs.get("lot")),
                session=en_texte(valeurs.get("session")),
                decision=en_texte(valeurs.get("decision")),
                changements=ligne.changements,
                erreurs=erreurs_de_la_ligne,
            )
        )
    return lignes, erreurs
