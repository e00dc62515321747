"""The bilan de fin de parcours of a session (docs/domaine.md, step 9; CCTP "bilan de fin de
parcours"): when it is due, what it is pre-filled with, and its steps.

A session is the group of parcours one bon de commande launched, with its avenants. It ends
when the last of its parcours ends: its exit, or its planned end while it runs. Its one bilan is
due one calendar month after that; the prestataire is reminded 7 days before, and the bilan is
overdue (managers alerted) the day after the due date.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import utilisateurs_du_role
from accounts.roles import Role
from prestataires.enums import EtatParcours, TypeFin
from prestataires.models import Evaluation, Parcours
from procurement.calendrier import a_minuit
from procurement.enums import ClasseSortie
from procurement.models import today
from workflows.actions import exiger_transition
from workflows.notifications import notifier

from .enums import ETATS_REDACTION
from .models import AppreciationBilan, BilanFinParcours, echeance_du_bilan
from .perms import peut_rediger

DELAI_RAPPEL = timedelta(days=7)
# The session's end is not known while one of its parcours has not started: its timers wait
# until then and are moved to their real moment as soon as it is known.
MOMENT_INCONNU = date(2100, 1, 1)


def fins_de_sessions(bons) -> dict[int, date | None]:
    """Order pk -> the last day of its session's parcours (their exit, or their planned end
    while they run); None while one of them has not started, or nobody is on it. Withdrawn
    people do not count. One query, however many sessions (the history's import)."""
    sessions = (
        Parcours.objects.filter(ligne__bon__in=bons)
        .exclude(etat=EtatParcours.ANNULE)
        .order_by()
        .values("ligne__bon")
        .annotate(
            fin=Max(Coalesce("date_sortie", "fin_prevue")),
            sans_fin=Count("pk", filter=Q(date_sortie__isnull=True, fin_prevue__isnull=True)),
        )
    )
    return {s["ligne__bon"]: None if s["sans_fin"] else s["fin"] for s in sessions}


def fin_de_session(bon) -> date | None:
    return fins_de_sessions([bon]).get(bon.pk)


def moment_du_rappel(bilan: BilanFinParcours) -> datetime:
    """Midnight, Nouméa time, 7 days before the due date."""
    return a_minuit(bilan.echeance - DELAI_RAPPEL if bilan.echeance else MOMENT_INCONNU)


def moment_du_retard(bilan: BilanFinParcours) -> datetime:
    """Midnight, Nouméa time, once the due date is over: the bilan is overdue."""
    return a_minuit(bilan.echeance + timedelta(days=1) if bilan.echeance else MOMENT_INCONNU)


def ouvrir(bon) -> tuple[BilanFinParcours, bool]:
    """The session's bilan, created when its order is acknowledged."""
    bilan, cree = BilanFinParcours.objects.get_or_create(
        bon=bon, defaults={"prestataire_id": bon.prestataire_id, "lot_id": bon.lot_id}
    )
    actualiser_echeance(bilan)
    return bilan, cree


def actualiser_echeance(bilan: BilanFinParcours) -> bool:
    """Recompute the end of the session and the due date (an exit, a suspension, an entry or
    a withdrawal moves them); True when they changed."""
    fin = fin_de_session(bilan.bon)
    echeance = echeance_du_bilan(fin)
    if (fin, echeance) == (bilan.fin_session, bilan.echeance):
        return False
    bilan.fin_session, bilan.echeance = fin, echeance
    bilan.save(update_fields=["fin_session", "echeance"])
    return True


def bilan_du_parcours(parcours: Parcours) -> BilanFinParcours | None:
    return BilanFinParcours.objects.filter(bon__lignes=parcours.ligne_id).first()


def jours_de_retard(bilan: BilanFinParcours, jour: date) -> int:
    """docs/contrats.md §5: days after the due date, 0 when sent in time or not due yet."""
    if bilan.echeance is None or (bilan.transmis_le and bilan.transmis_le <= jour):
        return 0
    return max(0, (jour - bilan.echeance).days)


# --- The nominative list, pre-filled ------------------------------------------------------


@dataclass
class Personne:
    """One line of the bilan: what the application knows, and what the prestataire writes."""

    parcours: Parcours
    appreciation: AppreciationBilan
    evaluation_entree: Evaluation | None
    evaluation_sortie: Evaluation | None

    @property
    def rupture(self) -> bool:
        return self.parcours.type_fin not in ("", TypeFin.TERME)

    @property
    def classe(self) -> str:
        return ClasseSortie(self.parcours.classe_sortie).label if self.parcours.date_sortie else ""

    @property
    def complete(self) -> bool:
        if not self.appreciation.atteinte_objectifs:
            return False
        if self.rupture:
            return bool(self.appreciation.difficultes and self.appreciation.preconisations)
        return True


def personnes(bilan: BilanFinParcours) -> list[Personne]:
    """The session's people (withdrawn ones excepted), each with their dates, stages, exit,
    evaluations at entry and exit, and their appreciation (created, pre-filled from the
    parcours' exit, the first time). A constant number of queries."""
    parcours_list = list(
        Parcours.objects.filter(ligne__bon_id=bilan.bon_id)
        .exclude(etat=EtatParcours.ANNULE)
        .select_related("demandeur", "type_sortie", "appreciation_bilan")
        .prefetch_related("stages__entreprise", "evaluations")
        .order_by("demandeur__nom", "demandeur__prenom", "pk")
    )
    nouvelles = [
        AppreciationBilan(
            bilan=bilan,
            parcours=parcours,
            difficultes=parcours.difficultes,
            preconisations=parcours.preconisations,
        )
        for parcours in parcours_list
        if not hasattr(parcours, "appreciation_bilan")
    ]
    if nouvelles and bilan.modifiable:
        AppreciationBilan.objects.bulk_create(nouvelles, ignore_conflicts=True)
        appreciations = {
            a.parcours_id: a
            for a in AppreciationBilan.objects.filter(bilan=bilan, parcours__in=parcours_list)
        }
    else:
        appreciations = {a.parcours_id: a for a in nouvelles}
    resultat = []
    for parcours in parcours_list:
        appreciation = getattr(parcours, "appreciation_bilan", None) or appreciations.get(
            parcours.pk
        )
        if appreciation is None:
            appreciation = AppreciationBilan(bilan=bilan, parcours=parcours)
        evaluations = {e.moment: e for e in parcours.evaluations.all()}
        resultat.append(
            Personne(
                parcours=parcours,
                appreciation=appreciation,
                evaluation_entree=evaluations.get("entree"),
                evaluation_sortie=evaluations.get("sortie"),
            )
        )
    return resultat


# --- Who does what --------------------------------------------------------------------------


NON_REDACTEUR = "Seule la direction du prestataire rédige ce bilan."
TRANSMIS = "Ce bilan est transmis : il ne peut plus être modifié."


def _verrouiller(bilan: BilanFinParcours) -> BilanFinParcours:
    return BilanFinParcours.objects.select_for_update(of=("self",)).get(pk=bilan.pk)


def _exiger_redacteur(bilan, user):
    if not peut_rediger(bilan, user):
        raise PermissionDenied(NON_REDACTEUR)


def _exiger_version(bilan, version):
    if version is not None and int(version) != bilan.version:
        raise ValidationError(
            "Le bilan a été modifié entre-temps par quelqu'un d'autre : rechargez la page, "
            "vos saisies n'ont pas été enregistrées."
        )


def enregistrer(bilan: BilanFinParcours, *, par, version, synthese, appreciations: dict):
    """The prestataire writes the session's synthesis and each person's appreciation
    (`appreciations`: parcours pk -> fields). Two people saving at once cannot overwrite each
    other: a form typed on an older version is refused."""
    _exiger_redacteur(bilan, par)
    with transaction.atomic():
        bilan = _verrouiller(bilan)
        if not bilan.modifiable:
            raise ValidationError(TRANSMIS)
        _exiger_version(bilan, version)
        lignes = {a.parcours_id: a for a in AppreciationBilan.objects.filter(bilan=bilan)}
        modifiees = []
        for parcours_id, champs in appreciations.items():
            appreciation = lignes.get(parcours_id)
            if appreciation is None:
                raise ValidationError("Cette personne n'est pas dans la session de ce bilan.")
            for champ, valeur in champs.items():
                setattr(appreciation, champ, valeur)
            modifiees.append(appreciation)
        AppreciationBilan.objects.bulk_update(
            modifiees, ["atteinte_objectifs", "commentaire", "difficultes", "preconisations"]
        )
        bilan.synthese = synthese
        bilan.version += 1
        bilan.save(update_fields=["synthese", "version"])
    return bilan


def manques(bilan: BilanFinParcours) -> list[str]:
    """What the prestataire must still write before sending the bilan."""
    manquants = []
    for personne in personnes(bilan):
        nom = f"{personne.parcours.demandeur.prenom} {personne.parcours.demandeur.nom}"
        if personne.parcours.date_sortie is None or personne.parcours.date_sortie > today():
            manquants.append(f"{nom} : la sortie du parcours (la session n'est pas terminée)")
        elif not personne.complete:
            if personne.rupture:
                manquants.append(
                    f"{nom} : l'atteinte des objectifs, les difficultés et les préconisations"
                )
            else:
                manquants.append(f"{nom} : l'atteinte des objectifs")
    return manquants


def transmettre(bilan: BilanFinParcours, *, par):
    """Once the session is over and every person is appreciated, the bilan goes to the DEL."""
    bilan = _verrouiller(bilan)
    exiger_transition(bilan.transmettre, par, refus=TRANSMIS, interdit=NON_REDACTEUR)
    manquants = manques(bilan)
    if manquants:
        raise ValidationError("Avant de transmettre, complétez : " + " ; ".join(manquants) + ".")
    return _franchir(bilan, "transmettre", par=par, le=today())


def _franchir(bilan: BilanFinParcours, transition: str, **arguments) -> BilanFinParcours:
    """Fire a transition of a bilan locked by the caller; its new version turns away the
    forms typed on the old one."""
    getattr(bilan, transition)(**arguments)
    bilan.version += 1
    bilan.save()
    return bilan


def transmis_hors_application(bilan: BilanFinParcours, *, par, le: date):
    """A bilan sent on `le` outside the application, as the history's import records it."""
    return _franchir(
        _verrouiller(bilan),
        "transmettre",
        par=par,
        le=le,
        motif="Transmis hors de l'application (reprise)",
    )


def _examiner(bilan: BilanFinParcours, par, transition, **arguments):
    bilan = _verrouiller(bilan)
    exiger_transition(
        getattr(bilan, transition),
        par,
        refus=f"Ce bilan est {bilan.get_etat_display().lower()} : il n'est pas à examiner.",
        interdit="Seul un gestionnaire de la DEL examine les bilans.",
    )
    return _franchir(bilan, transition, par=par, **arguments)


def renvoyer(bilan: BilanFinParcours, *, par, motif: str):
    if not motif.strip():
        raise ValidationError("Dites au prestataire ce qu'il doit compléter.")
    return _examiner(bilan, par, "renvoyer", motif=motif.strip())


def accepter(bilan: BilanFinParcours, *, par):
    return _examiner(bilan, par, "accepter", le=timezone.now())


# --- Reminder and overdue alert (fired by the flow's timers) ------------------------------


def _noter_une_fois(bilan: BilanFinParcours, champ: str) -> bool:
    """Note the reminder or the alert on a bilan still to send; False when it was noted
    already or is no longer due."""
    bilan = _verrouiller(bilan)
    if bilan.etat not in ETATS_REDACTION or getattr(bilan, champ):
        return False
    setattr(bilan, champ, timezone.now())
    bilan.save(update_fields=[champ])
    return True


def rappeler(bilan: BilanFinParcours) -> None:
    """7 days before the due date, the prestataire's direction is reminded once, if still not
    sent (not once it is overdue, e.g. an imported late session: then the managers are
    alerted)."""
    if bilan.echeance and today() > bilan.echeance:
        return
    if _noter_une_fois(bilan, "rappel_envoye_le"):
        for destinataire in utilisateurs_du_role(
            Role.PRESTATAIRE_DIRECTION, prestataire_id=bilan.prestataire_id
        ):
            notifier(
                destinataire,
                f"{bilan} : à transmettre au plus tard le {bilan.echeance:%d/%m/%Y}.",
                lien=bilan.get_absolute_url(),
            )


def signaler_retard(bilan: BilanFinParcours) -> None:
    """The day after the due date, a bilan still not sent is overdue: managers are told
    once."""
    if _noter_une_fois(bilan, "retard_signale_le"):
        for destinataire in utilisateurs_du_role(Role.GESTIONNAIRE):
            notifier(
                destinataire,
                f"{bilan} ({bilan.prestataire.code}) : en retard, attendu le "
                f"{bilan.echeance:%d/%m/%Y}.",
                lien=bilan.get_absolute_url(),
            )


# --- Overdue bilans, for the DEL's tools (docs/contrats.md §5) -----------------------------------

COLONNES_RETARD = ("session", "prestataire", "lot", "fin_session", "echeance", "jours_de_retard")


def bilans_en_retard(jour: date, prestataire: str | None = None) -> list[dict]:
    """The sessions whose bilan is overdue on `jour`, the latest first (the earliest due date
    is the most days late), then by session."""
    retards = BilanFinParcours.objects.en_retard_le(jour).select_related(
        "bon", "prestataire", "lot"
    )
    if prestataire:
        retards = retards.filter(prestataire__code=prestataire)
    return [
        {
            "session": bilan.session,
            "prestataire": bilan.prestataire.code,
            "lot": bilan.lot.numero,
            "fin_session": bilan.fin_session.isoformat(),
            "echeance": bilan.echeance.isoformat(),
            "jours_de_retard": jours_de_retard(bilan, jour),
        }
        for bilan in retards.order_by("echeance", "bon__numero")
    ]
