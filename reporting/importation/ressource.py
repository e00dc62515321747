"""The import-export resource: django-import-export's row loop reads each row with the columns'
widgets, completes it from the database, has it checked, and tells whether it is new, updated
or unchanged; it writes nothing."""

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.instance_loaders import BaseInstanceLoader

from procurement.enums import Decision
from procurement.models import today

from .colonnes import (
    BLOCS,
    Choix,
    Codes,
    CommuneWidget,
    Date,
    Entier,
    Reference,
    Texte,
    en_texte,
)
from .contexte import Contexte
from .ligne import LigneImport
from .verification import Verification


def _decisions():
    return {d.value: d.value for d in Decision}


def _colonne(nom, widget):
    return fields.Field(attribute=nom, column_name=nom, widget=widget)


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
        return ligne, en_texte(row.get("reference")) not in self.contexte.existantes

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
            # docs/contrats.md §2: lot 2, recognised by the CRHD.
            instance.reconnaissance_crhd = True
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
