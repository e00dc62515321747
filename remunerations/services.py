"""The rules of the monthly état de rémunération: opened per prestataire and month, declared
by the prestataire, reconciled by finance, then frozen (docs/domaine.md, "Stipend").

Each rule runs inside the caller's transaction and locks the état it changes. The actions that
are a step of the état's process (open, submit, send back, accept) have one entry point each,
which runs the rule and completes the step in one transaction.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import utilisateurs_du_role
from accounts.roles import Role
from prestataires.models import Parcours
from procurement.calendrier import a_minuit, ajouter_mois, mois_de
from procurement.models import Prestataire, TauxSMG, today
from workflows.actions import exiger_transition
from workflows.notifications import notifier
from workflows.taches import accomplir, lancer

from . import calcul, stockage
from .enums import EtatDeclaration
from .models import CHAMPS_TOTAUX, EtatRemuneration, LigneRemuneration, libelle_mois
from .perms import peut_declarer, rapproche

# A month's hours of SMG (169 h): more unjustified absence than that in a month is a typo.
HEURES_ABSENCE_MAX = Decimal(169)


def dernier_mois_rapproche(prestataire_id: int | None = None) -> date | None:
    etats = EtatRemuneration.objects.filter(etat=EtatDeclaration.ACCEPTE)
    if prestataire_id is not None:
        etats = etats.filter(prestataire_id=prestataire_id)
    return etats.order_by("-mois").values_list("mois", flat=True).first()


def _ouvrir(prestataire: Prestataire, mois: date) -> tuple[EtatRemuneration, bool]:
    """The prestataire's état for the month, created if needed (True when created)."""
    mois = mois_de(mois)
    Prestataire.objects.select_for_update().get(pk=prestataire.pk)  # one creator at a time
    existant = EtatRemuneration.objects.filter(prestataire=prestataire, mois=mois).first()
    if existant is not None:
        return existant, False
    if mois > mois_de(today()):
        raise ValidationError({"mois": "Un mois à venir ne se déclare pas encore."})
    dernier = dernier_mois_rapproche(prestataire.pk)
    if dernier is not None and mois < dernier:
        raise ValidationError(
            {
                "mois": f"{libelle_mois(dernier).capitalize()} est déjà rapproché : ce qui "
                "reste dû sur un mois antérieur se régularise sur le prochain état."
            }
        )
    porteuse = (
        LigneRemuneration.objects.filter(
            etat__prestataire=prestataire, etat__mois__gt=mois, saisie=True
        )
        .exclude(etat__etat=EtatDeclaration.ACCEPTE)
        .filter(mois__lt=F("etat__mois"))
        .select_related("etat")
        .first()
    )
    if porteuse is not None:
        # Adjustments belong to the first état not reconciled: an earlier one would take them.
        raise ValidationError(
            {
                "mois": "Un état plus récent porte des régularisations "
                f"({porteuse.etat.libelle_mois}) : faites-le rapprocher avant d'ouvrir un mois "
                "antérieur."
            }
        )
    etat = EtatRemuneration.objects.create(prestataire=prestataire, mois=mois)
    # Its lines; and adjustments move to it if it is now the earliest not reconciled.
    stockage.actualiser(prestataire_ids=[prestataire.pk])
    return etat, True


def ouvrir_etat(prestataire: Prestataire, mois: date) -> EtatRemuneration:
    """The prestataire's état for the month; a new one starts its process."""
    with transaction.atomic():
        etat, cree = _ouvrir(prestataire, mois)
        if cree:
            lancer(etat, "ouvrir")
    return etat


def mois_a_ouvrir(jour: date) -> list[tuple[Prestataire, date]]:
    """On and after the 1st, each prestataire with a stagiaire in the month just ended owes
    its état for that month."""
    mois = ajouter_mois(mois_de(jour), -1)
    deja = EtatRemuneration.objects.filter(mois=mois).values("prestataire_id")
    en_parcours = Parcours.objects.filter(calcul.parcours_couvrant(mois)).values("prestataire_id")
    prestataires = (
        Prestataire.objects.exclude(pk__in=deja).filter(pk__in=en_parcours).order_by("code")
    )
    return [(prestataire, mois) for prestataire in prestataires]


# --- The prestataire declares --------------------------------------------------------------


def _verrouiller(etat: EtatRemuneration) -> EtatRemuneration:
    return EtatRemuneration.objects.select_for_update(of=("self",)).get(pk=etat.pk)


def _enregistrer(etat: EtatRemuneration, *champs):
    """Every change of an état makes a new version: a form typed on an older one is refused."""
    etat.version += 1
    etat.save(update_fields=champs or None)


# A refused submission names the stagiaires left to declare, up to this many.
NOMS_AFFICHES = 20

NON_DECLARANT = "Seule la direction du prestataire déclare ses rémunérations."
NON_FINANCE = "Seule la finance de la DEL rapproche les états."


def exiger_declarant(etat: EtatRemuneration, user):
    if not peut_declarer(etat, user):
        raise PermissionDenied(NON_DECLARANT)


def exiger_finance(user):
    if not rapproche(user):
        raise PermissionDenied(NON_FINANCE)


def _plus_modifiable(etat: EtatRemuneration) -> str:
    return f"Cet état est {etat.get_etat_display().lower()} : il ne se modifie plus."


def _exiger_modifiable(etat: EtatRemuneration, version: int | None = None):
    if not etat.modifiable:
        raise ValidationError(_plus_modifiable(etat))
    if version is not None and version != etat.version:
        raise ValidationError(
            "Quelqu'un a modifié cet état pendant votre saisie : rechargez la page, vos "
            "chiffres n'ont pas été enregistrés."
        )


def cle(ligne) -> str:
    """A line's key in forms: the parcours and the month it pays."""
    if isinstance(ligne, LigneRemuneration):
        return f"{ligne.parcours_id}-{ligne.mois:%Y-%m}"
    return f"{ligne.parcours.pk}-{ligne.mois:%Y-%m}"


def _lignes_nommees(etat: EtatRemuneration, cles) -> dict[str, LigneRemuneration]:
    """The état's stored lines that these form keys name (one query); a key naming no line
    of the état is refused."""
    parcours_ids = set()
    for cle_ligne in cles:
        parcours_id, _, _ = cle_ligne.partition("-")
        if not parcours_id.isdigit():
            raise ValidationError("Cette ligne n'appartient pas à l'état.")
        parcours_ids.add(int(parcours_id))
    lignes = {
        cle(ligne): ligne
        for ligne in LigneRemuneration.objects.filter(etat=etat, parcours_id__in=parcours_ids)
    }
    if any(cle_ligne not in lignes for cle_ligne in cles):
        raise ValidationError("Cette ligne n'appartient pas à l'état.")
    return lignes


def declarer(etat: EtatRemuneration, *, par, version: int, declarations: dict[str, dict]):
    """Record, per line key, the absence hours, the amount paid and the CAFAT cover paid (a
    page of the état's lines: the others keep theirs). The amount due is computed, never
    typed: the lines declared are recomputed with their absence hours, in bulk."""
    exiger_declarant(etat, par)
    etat = _verrouiller(etat)
    _exiger_modifiable(etat, version)
    lignes = _lignes_nommees(etat, declarations)
    erreurs = {}
    for cle_ligne, valeurs in declarations.items():
        ligne = lignes[cle_ligne]
        if ligne.mois == etat.mois and (valeurs.get("montant_declare") or 0) < 0:
            erreurs[cle_ligne] = "Un montant versé ne peut pas être négatif."
    if erreurs:
        raise ValidationError(erreurs)
    champs = {"saisie"}
    for cle_ligne, valeurs in declarations.items():
        ligne = lignes[cle_ligne]
        ligne.saisie = True
        for champ, valeur in valeurs.items():
            setattr(ligne, champ, valeur)
            champs.add(champ)
    LigneRemuneration.objects.bulk_update(lignes.values(), sorted(champs), batch_size=500)
    stockage.actualiser(
        prestataire_ids=[etat.prestataire_id],
        parcours_ids={ligne.parcours_id for ligne in lignes.values()},
        a_totaliser=[etat.pk],
    )
    _enregistrer(etat, "version")
    return etat


def regulariser(etat: EtatRemuneration, *, par, parcours, mois: date, absences_heures: Decimal):
    """A late unjustified absence on a reconciled month: it never rewrites that month, it
    becomes an adjustment line on the prestataire's first état not yet reconciled."""
    exiger_declarant(etat, par)
    etat = _verrouiller(etat)
    _exiger_modifiable(etat)
    if not calcul.porte_les_regularisations(etat):
        raise ValidationError(
            "Les régularisations se déclarent sur le plus ancien état non rapproché."
        )
    if parcours.prestataire_id != etat.prestataire_id:
        raise PermissionDenied("Ce parcours n'est pas suivi par votre structure.")
    rapproche = EtatRemuneration.objects.filter(
        prestataire_id=etat.prestataire_id, mois=mois, etat=EtatDeclaration.ACCEPTE
    ).exists()
    if not (rapproche and calcul.couvre(parcours, mois)):
        raise ValidationError(
            {"mois": f"{parcours.demandeur} n'a pas de mois rapproché en {libelle_mois(mois)}."}
        )
    ligne, cree = LigneRemuneration.objects.get_or_create(
        etat=etat, parcours=parcours, mois=mois, defaults={"absences_heures": absences_heures}
    )
    if not cree:
        ligne.absences_heures += absences_heures
        ligne.saisie = True
        ligne.save(update_fields=["absences_heures", "saisie"])
    stockage.actualiser(prestataire_ids=[etat.prestataire_id], parcours_ids=[parcours.pk])
    _enregistrer(etat, "version")
    ligne.refresh_from_db()
    return ligne


def exiger_soumettable(etat: EtatRemuneration, *, par):
    """Submitting's rules on the état as stored: every stagiaire of the month declared. The
    page says a refusal before it asks the user to confirm a gap; submitting checks them
    again."""
    exiger_transition(etat.soumettre, par, refus=_plus_modifiable(etat), interdit=NON_DECLARANT)
    manquantes = list(
        etat.lignes.filter(
            Q(montant_declare__isnull=True) | Q(cafat_declaree__isnull=True, mois=etat.mois)
        )
        .select_related("parcours__demandeur")
        .order_by("parcours__demandeur__nom", "parcours__demandeur__prenom", "pk")[:NOMS_AFFICHES]
    )
    if manquantes:
        noms = ", ".join(
            f"{ligne.parcours.demandeur.prenom} {ligne.parcours.demandeur.nom}"
            for ligne in manquantes
        )
        reste = etat.nombre_lignes - etat.lignes_completes - NOMS_AFFICHES
        if reste > 0:
            noms += f" et {reste} autre(s)"
        raise ValidationError(
            f"Déclarez le montant versé et la couverture sociale de chaque stagiaire avant de "
            f"soumettre : {noms}."
        )


def _soumettre(etat: EtatRemuneration, *, par):
    """Once every stagiaire of the month has a line, the état goes to finance."""
    etat = _verrouiller(etat)
    exiger_soumettable(etat, par=par)
    etat.soumis_le = timezone.now()
    etat.soumis_par = par
    etat.soumettre(par=par)
    _enregistrer(etat)
    return etat


# --- Finance reconciles ----------------------------------------------------------------------


def _renvoyer(etat: EtatRemuneration, *, par, commentaires: dict[str, str]):
    """Finance sends the état back with a comment on each line to correct."""
    etat = _verrouiller(etat)
    exiger_transition(
        etat.renvoyer, par, refus="Seul un état soumis se renvoie.", interdit=NON_FINANCE
    )
    commentaires = {cle_ligne: texte.strip() for cle_ligne, texte in commentaires.items()}
    if not any(commentaires.values()):
        raise ValidationError("Commentez au moins une ligne à corriger.")
    lignes = _lignes_nommees(etat, commentaires)
    for cle_ligne, texte in commentaires.items():
        lignes[cle_ligne].commentaire_finance = texte
    LigneRemuneration.objects.bulk_update(lignes.values(), ["commentaire_finance"], batch_size=500)
    nombre = sum(1 for texte in commentaires.values() if texte)
    etat.renvoyer(par=par, motif=f"{nombre} ligne(s) à corriger")
    _enregistrer(etat)
    return etat


DEJA_ACCEPTE = "Cet état a déjà été accepté : le mois est rapproché."


def _exiger_acceptable(etat: EtatRemuneration, par):
    # The second of two who accept at once reads what happened, not the rule.
    refus = (
        DEJA_ACCEPTE if etat.etat == EtatDeclaration.ACCEPTE else "Seul un état soumis s'accepte."
    )
    exiger_transition(etat.accepter, par, refus=refus, interdit=NON_FINANCE)
    precedent = (
        EtatRemuneration.objects.filter(prestataire_id=etat.prestataire_id, mois__lt=etat.mois)
        .exclude(etat=EtatDeclaration.ACCEPTE)
        .order_by("mois")
        .first()
    )
    if precedent is not None:
        raise ValidationError(
            f"Rapprochez d'abord le mois précédent : {precedent.libelle_mois} "
            f"({etat.prestataire.code})."
        )


def _exiger_complet(etat: EtatRemuneration):
    if not etat.complet:
        raise ValidationError("Une ligne de l'état n'est pas déclarée : renvoyez-le.")


def exiger_acceptable(etat: EtatRemuneration, *, par):
    """Accepting's rules on the état as stored: the page says a refusal before it asks the
    user to confirm; accepting checks them again."""
    _exiger_acceptable(etat, par)
    _exiger_complet(etat)


def _accepter(etat: EtatRemuneration, *, par):
    """The month is reconciled: its lines keep the computation accepted, for good."""
    etat = _verrouiller(etat)
    _exiger_acceptable(etat, par)
    # The stored computation becomes the accepted one: made sure of first, whatever wrote
    # the parcours without their signals.
    stockage.actualiser(prestataire_ids=[etat.prestataire_id])
    etat.refresh_from_db(fields=CHAMPS_TOTAUX)
    _exiger_complet(etat)
    etat.accepte_le = timezone.now()
    etat.accepte_par = par
    etat.accepter(par=par)
    _enregistrer(etat)
    # The next état not reconciled now carries the adjustments.
    stockage.actualiser(prestataire_ids=[etat.prestataire_id])
    return etat


def soumettre(etat: EtatRemuneration, *, par):
    return accomplir(etat.process, "declarer", par=par, action=lambda: _soumettre(etat, par=par))


def renvoyer(etat: EtatRemuneration, *, par, commentaires: dict[str, str]):
    return accomplir(
        etat.process,
        "rapprocher",
        par=par,
        action=lambda: _renvoyer(etat, par=par, commentaires=commentaires),
    )


def accepter(etat: EtatRemuneration, *, par):
    return accomplir(etat.process, "rapprocher", par=par, action=lambda: _accepter(etat, par=par))


def moment_du_retard(etat: EtatRemuneration) -> datetime:
    """Midnight, Nouméa time, once the 10th of the next month is over."""
    return a_minuit(etat.date_limite + timedelta(days=1))


def signaler_retard(etat: EtatRemuneration) -> bool:
    """The 10th of the next month has passed and the état was never submitted: finance is
    told once (True when it is)."""
    etat = _verrouiller(etat)
    if etat.soumis_le is not None or etat.retard_signale_le is not None:
        return False
    etat.retard_signale_le = timezone.now()
    etat.save(update_fields=["retard_signale_le"])
    for destinataire in utilisateurs_du_role(Role.FINANCE):
        notifier(
            destinataire,
            f"{etat} : non soumis le {etat.date_limite:%d/%m/%Y}.",
            lien=etat.get_absolute_url(),
        )
    return True


# --- SMG rates ---------------------------------------------------------------------------


def verifier_date_effet_smg(date_effet: date):
    """A new SMG rate starts on a month's first day, after the last month already reconciled
    (for any prestataire): only the months not yet reconciled use it."""
    if date_effet.day != 1:
        raise ValidationError("Un taux du SMG entre en vigueur le premier jour d'un mois.")
    dernier = dernier_mois_rapproche()
    if dernier is not None and date_effet <= dernier:
        raise ValidationError(
            f"{libelle_mois(dernier).capitalize()} est déjà rapproché : un nouveau taux ne peut "
            f"entrer en vigueur qu'à partir du {ajouter_mois(dernier, 1):%d/%m/%Y}."
        )


def etats_rapproches_au_taux(taux: TauxSMG):
    """The reconciled états (any prestataire) paid at the SMG rate `taux`: their months run
    from its start to the next rate's. Such a rate is never deleted (issue 16), as no new rate
    enters a reconciled month: a reconciled month keeps the rate it was paid at, and a
    correction of the rate becomes an adjustment line."""
    suivant = (
        TauxSMG.objects.filter(date_effet__gt=taux.date_effet)
        .order_by("date_effet")
        .values_list("date_effet", flat=True)
        .first()
    )
    etats = EtatRemuneration.objects.filter(
        etat=EtatDeclaration.ACCEPTE, mois__gte=taux.date_effet
    ).select_related("prestataire")
    if suivant is not None:
        etats = etats.filter(mois__lt=suivant)
    return etats.order_by("mois", "prestataire__code")
