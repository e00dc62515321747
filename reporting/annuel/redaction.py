"""The bilan annuel record: who may ask for it, open it, write its analysis and send it to
the DEL, and the notifications each step sends."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import utilisateurs_du_role
from accounts.roles import Role
from procurement.models import AttributionLot, Lot, Prestataire
from workflows.actions import exiger_transition
from workflows.notifications import notifier

from ..models import BilanAnnuel
from ..perms import peut_rediger_le_bilan_annuel
from .chiffres import Filtres


def lots_tenus(prestataire_id):
    """The lots a prestataire holds or held (its attributions)."""
    return Lot.objects.filter(attributions__prestataire_id=prestataire_id).distinct()


def filtres_du_bilan(bilan: BilanAnnuel) -> Filtres:
    return Filtres(bilan.du, bilan.au, lot=bilan.lot.numero, prestataire=bilan.prestataire.code)


def peut_demander(user) -> bool:
    """The DEL's managers (who read every prestataire's indicators) ask for a bilan."""
    return not user.prestataire_id and user.has_perm("reporting.consulter_indicateurs")


def peut_ouvrir(user) -> bool:
    return peut_demander(user) or bool(
        user.prestataire_id and user.has_perm("reporting.rediger_bilanannuel")
    )


def _periode(bilan: BilanAnnuel) -> str:
    return (
        f"{bilan.prestataire.code}, lot {bilan.lot.numero}, du {bilan.du:%d/%m/%Y} "
        f"au {bilan.au:%d/%m/%Y}"
    )


def ouvrir(*, prestataire_id: int, lot: Lot, du: date, au: date, par) -> BilanAnnuel:
    """The prestataire's direction opens its bilan, or the DEL asks the prestataire for one
    (its direction is told, with the link). Refused: someone else, a lot the prestataire does
    not hold over the period, a period that already has its bilan."""
    if par.prestataire_id and not (
        par.prestataire_id == prestataire_id and par.has_perm("reporting.rediger_bilanannuel")
    ):
        raise PermissionDenied("Seule la direction du prestataire ouvre son bilan annuel.")
    if not par.prestataire_id and not peut_demander(par):
        raise PermissionDenied("Seuls les gestionnaires de la DEL demandent un bilan annuel.")
    prestataire = Prestataire.objects.get(pk=prestataire_id)
    tient_le_lot = (
        AttributionLot.objects.filter(prestataire_id=prestataire_id, lot=lot, date_debut__lte=au)
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=du))
        .exists()
    )
    if not tient_le_lot:
        raise ValidationError(
            {"lot": f"{prestataire.code} ne tient pas le lot {lot.numero} sur cette période."}
        )
    bilan = BilanAnnuel(
        prestataire=prestataire,
        lot=lot,
        du=du,
        au=au,
        demande_par=None if par.prestataire_id else par,
    )
    with transaction.atomic():
        existant = BilanAnnuel.objects.filter(prestataire=prestataire, lot=lot, du=du, au=au)
        if existant.exists():
            raise ValidationError(
                f"Le bilan annuel {_periode(bilan)} existe déjà : ouvrez-le depuis la liste."
            )
        bilan.save()
        if bilan.demande_par:
            for destinataire in utilisateurs_du_role(
                Role.PRESTATAIRE_DIRECTION, prestataire_id=prestataire_id
            ):
                notifier(
                    destinataire,
                    f"La DEL demande le bilan annuel {_periode(bilan)} : rédigez l'analyse et "
                    "transmettez-le.",
                    bilan.get_absolute_url(),
                )
    return bilan


def _verrouiller(bilan: BilanAnnuel) -> BilanAnnuel:
    return (
        BilanAnnuel.objects.select_for_update(of=("self",))
        .select_related("prestataire", "lot")
        .get(pk=bilan.pk)
    )


NON_REDACTEUR = "Seule la direction du prestataire rédige ce bilan annuel."


def _deja_transmis(bilan: BilanAnnuel) -> str:
    return (
        f"Ce bilan annuel a été transmis à la DEL le "
        f"{timezone.localtime(bilan.transmis_le):%d/%m/%Y} : il ne peut plus être modifié "
        "ni transmis de nouveau."
    )


def exiger_brouillon(bilan: BilanAnnuel):
    if not bilan.en_redaction:
        raise ValidationError(_deja_transmis(bilan))


def enregistrer_analyse(bilan: BilanAnnuel, *, par, analyse: str) -> BilanAnnuel:
    """The direction writes its analysis while the bilan is a draft."""
    if not peut_rediger_le_bilan_annuel(bilan, par):
        raise PermissionDenied(NON_REDACTEUR)
    with transaction.atomic():
        bilan = _verrouiller(bilan)
        exiger_brouillon(bilan)
        bilan.analyse = analyse.strip()
        bilan.save(update_fields=["analyse"])
    return bilan


def transmettre(bilan: BilanAnnuel, *, par, analyse: str) -> BilanAnnuel:
    """Save the analysis and send the bilan to the DEL in one step (its transition is
    journaled); whoever asked for it, or else the gestionnaires, are told."""
    with transaction.atomic():
        bilan = enregistrer_analyse(bilan, par=par, analyse=analyse)
        if not bilan.analyse:
            raise ValidationError(
                {"analyse": "Rédigez l'analyse qualitative avant de transmettre le bilan."}
            )
        exiger_transition(
            bilan.transmettre, par, refus=_deja_transmis(bilan), interdit=NON_REDACTEUR
        )
        bilan.transmettre(par=par, le=timezone.now())
        bilan.save()
        destinataires = (
            [bilan.demande_par]
            if bilan.demande_par_id
            else list(utilisateurs_du_role(Role.GESTIONNAIRE))
        )
        for destinataire in destinataires:
            notifier(
                destinataire,
                f"Le bilan annuel {_periode(bilan)} est transmis par {bilan.prestataire.code}.",
                bilan.get_absolute_url(),
            )
    return bilan
