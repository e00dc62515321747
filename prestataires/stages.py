"""The rules of a stage en entreprise (docs/domaine.md, "Stage en entreprise"; CCTP, step 2):
its convention prepared inside the parcours, the checks before its start, the follow-up visits,
its bilan and rapport. Each function locks the parcours, then the stage, and checks that the
user conducts the parcours (`services.verrouiller`)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from procurement.models import today

from .enums import EtatParcours
from .models import Parcours, Stage, VisiteStage
from .services import exiger, exiger_actif, verrouiller


def _verifier_dates_du_stage(parcours: Parcours, debut: date, fin: date):
    """A stage lies inside the parcours."""
    erreurs = {}
    if fin < debut:
        erreurs["fin"] = "Le dernier jour précède le premier."
    if debut < parcours.date_entree:
        erreurs["debut"] = (
            f"Le stage ne peut pas commencer avant l'entrée en parcours "
            f"({parcours.date_entree:%d/%m/%Y})."
        )
    if fin > parcours.fin_prevue:
        erreurs["fin"] = (
            f"Le stage doit finir au plus tard à la fin prévue du parcours "
            f"({parcours.fin_prevue:%d/%m/%Y})."
        )
    if erreurs:
        raise ValidationError(erreurs)


@transaction.atomic
def preparer_stage(parcours: Parcours, *, par, **champs) -> Stage:
    """The convention prepared while the parcours is locked: the lock lasts until the stage
    is written (its own transaction: the page calls it directly)."""
    parcours = verrouiller(parcours, par)
    exiger_actif(parcours, "stage")
    if champs["entreprise"].prestataire_id != parcours.prestataire_id:
        raise PermissionDenied("Cette entreprise n'est pas dans votre répertoire.")
    _verifier_dates_du_stage(parcours, champs["debut"], champs["fin"])
    return Stage.objects.create(parcours=parcours, cree_par=par, **champs)


def _verrouiller_stage(stage: Stage, par) -> Stage:
    verrouiller(stage.parcours, par)
    return Stage.objects.select_for_update(of=("self",)).select_related("parcours").get(pk=stage.pk)


def modifier_stage(stage: Stage, *, par, **champs) -> Stage:
    """The convention can change until its checks are done; after, it is what was signed."""
    stage = _verrouiller_stage(stage, par)
    if not stage.en_preparation:
        raise ValidationError("La convention est vérifiée : elle ne se modifie plus.")
    _verifier_dates_du_stage(stage.parcours, champs["debut"], champs["fin"])
    for champ, valeur in champs.items():
        setattr(stage, champ, valeur)
    stage.save()
    return stage


DEJA_VERIFIE = "Les vérifications de ce stage sont déjà faites."


def verifier_stage(stage: Stage, *, par, verifie_le: date) -> Stage:
    """The checks the CCTP asks before the stage: the host company's conditions, and the
    convention signed by the three parties."""
    stage = _verrouiller_stage(stage, par)
    exiger(stage.verifier, par, DEJA_VERIFIE)
    manquants = [
        stage._meta.get_field(champ).verbose_name
        for champ in ("conditions_accueil_verifiees", "convention_signee")
        if not getattr(stage, champ)
    ]
    if manquants:
        raise ValidationError(f"Vérification incomplète : {', '.join(manquants)}.")
    if verifie_le > today():
        raise ValidationError("La date de vérification est dans le futur.")
    if verifie_le > stage.debut:
        raise ValidationError(
            f"Les vérifications se font avant le stage (premier jour : {stage.debut:%d/%m/%Y})."
        )
    stage.verifie_le = verifie_le
    stage.verifier(par=par)
    stage.save()
    return stage


def cocher_verifications(stage: Stage, *, par, conditions_accueil: bool, convention: bool):
    stage = _verrouiller_stage(stage, par)
    if not stage.en_preparation:
        raise ValidationError(DEJA_VERIFIE)
    stage.conditions_accueil_verifiees = conditions_accueil
    stage.convention_signee = convention
    stage.save(update_fields=["conditions_accueil_verifiees", "convention_signee"])
    return stage


def demarrer_stage(stage: Stage, *, par) -> Stage:
    stage = _verrouiller_stage(stage, par)
    exiger(
        stage.demarrer,
        par,
        "Un stage ne démarre pas avant ses vérifications."
        if stage.en_preparation
        else f"Ce stage est {stage.get_etat_display().lower()}.",
    )
    if stage.parcours.etat != EtatParcours.EN_COURS:
        raise ValidationError("Le parcours n'est pas en cours (suspendu ou clos).")
    if stage.debut > today():
        raise ValidationError(f"Le stage commence le {stage.debut:%d/%m/%Y}.")
    stage.demarrer(par=par)
    stage.save()
    return stage


def visiter_stage(stage: Stage, *, par, date: date, compte_rendu: str) -> VisiteStage:
    stage = _verrouiller_stage(stage, par)
    if not stage.en_cours:
        raise ValidationError("Les visites de suivi ont lieu pendant le stage.")
    if not stage.debut <= date <= min(stage.fin, today()):
        raise ValidationError(
            {"date": f"Une visite a lieu pendant le stage ({stage.debut:%d/%m/%Y} – "
             f"{stage.fin:%d/%m/%Y}), et pas dans le futur."}
        )  # fmt: skip
    return VisiteStage.objects.create(stage=stage, par=par, date=date, compte_rendu=compte_rendu)


def terminer_stage(stage: Stage, *, par, termine_le: date, bilan: str, rapport: str) -> Stage:
    stage = _verrouiller_stage(stage, par)
    exiger(stage.terminer, par, "Seul un stage en cours se termine.")
    erreurs = {}
    if not bilan.strip():
        erreurs["bilan_entreprise"] = "Le bilan de stage avec l'entreprise est requis."
    if not rapport.strip():
        erreurs["rapport_stage"] = "Le rapport de stage est requis."
    if not stage.debut <= termine_le <= today():
        erreurs["termine_le"] = (
            f"La fin du stage se situe entre son premier jour ({stage.debut:%d/%m/%Y}) et "
            "aujourd'hui."
        )
    if erreurs:
        raise ValidationError(erreurs)
    stage.bilan_entreprise, stage.rapport_stage, stage.termine_le = bilan, rapport, termine_le
    stage.terminer(par=par)
    stage.save()
    return stage


def annuler_stage(stage: Stage, *, par, motif: str) -> Stage:
    stage = _verrouiller_stage(stage, par)
    exiger(stage.annuler, par, "Un stage commencé ne s'annule pas : enregistrez son bilan.")
    stage.annuler(par=par, motif=motif)
    stage.save()
    return stage
