"""Writing what the file says of a parcours after its entry: its entry and exit evaluations
and its stage."""

from datetime import date

from prestataires.enums import EtatStage, MomentEvaluation, ObjetStage
from prestataires.models import Entreprise, Evaluation, Stage
from prestataires.models.parcours import AXES_EVALUATION
from procurement.text import normalise

from .colonnes import EVAL_ENTREE, EVAL_SORTIE
from .contexte import LOT, TEXTE_REPRISE, Contexte
from .insertion import inserer

COMMENTAIRE_REPRISE = "Reprise de l'historique (fichier de suivi importé)."
# The file gives no weekly hours; the stage's check constraint wants 1 to 39.
HEURES_HEBDO_REPRISE = 35


class SuiviDesParcours:
    """Writes the evaluations and stages of the parcours an import creates or updates, each
    kind of record in bulk."""

    def __init__(self, contexte: Contexte, par, aujourd_hui: date):
        self.contexte, self.par, self.aujourd_hui = contexte, par, aujourd_hui

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
        Evaluation.objects.bulk_update(redatees, ["date"], batch_size=LOT)
        inserer(Evaluation, nouvelles)

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
        inserer(Entreprise, entreprises.values())
        inserer(Stage, nouveaux)
