"""The rules of running a parcours (docs/domaine.md, process steps 5 to 8, "Sorties"); those of
its stages are in `stages.py`. Views, flows, the demo data and tests all call these functions;
each one runs inside the caller's transaction and locks the parcours it changes."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError

from procurement.calendrier import a_minuit, ajouter_mois
from procurement.models import today
from workflows.actions import exiger_transition
from workflows.taches import accomplir, annuler_processus, lancer

from .enums import (
    ETATS_CLOS,
    ETATS_STAGE_NON_COMMENCE,
    EtatParcours,
    EtatStage,
    MomentEvaluation,
    TypeFin,
)
from .models import (
    ActionPlan,
    ContactMaintien,
    Evaluation,
    ModuleCollectif,
    Parcours,
    RendezVous,
    Suspension,
)
from .perms import peut_attribuer, peut_conduire
from .signals import session_modifiee

# CCTP step 3: the maintien dans l'emploi lasts at most 3 months after the exit.
DUREE_MAINTIEN_MOIS = 3
TYPES_RUPTURE = (TypeFin.RUPTURE_STAGIAIRE, TypeFin.RUPTURE_STRUCTURE)
TYPES_FIN_ANTICIPEE = (TypeFin.ANTICIPEE, *TYPES_RUPTURE)


def fin_prevue_du_parcours(date_entree: date, duree_mois: int, jours_suspendus: int = 0) -> date:
    """A parcours of N months entered on day D runs to the day before the same day N months
    later, moved back by its suspended days (docs/domaine.md)."""
    return ajouter_mois(date_entree, duree_mois) - timedelta(days=1 - jours_suspendus)


def fin_du_maintien(date_sortie: date) -> date:
    return ajouter_mois(date_sortie, DUREE_MAINTIEN_MOIS)


# docs/domaine.md step 8 (decision): the maintien's contacts are planned one, two and three months
# after the exit; a planned contact not recorded within 7 days of its date is an alert. A
# contact counts for the planned one whose date it is within 7 days of, before or after: one
# made on the exit day, or two weeks after it, is no contact "at one month".
DELAI_CONTACT_MAINTIEN = timedelta(days=7)


@dataclass
class ContactPrevu:
    rang: int
    date: date
    fait: bool

    @property
    def debut(self) -> date:
        return self.date - DELAI_CONTACT_MAINTIEN

    @property
    def limite(self) -> date:
        return self.date + DELAI_CONTACT_MAINTIEN

    def manque_le(self, jour: date) -> bool:
        return not self.fait and jour > self.limite


def contacts_prevus(parcours: Parcours, dates_des_contacts) -> list[ContactPrevu]:
    """The planned contacts of the maintien: each is done when a contact was recorded within 7
    days of its date (the windows, 14 days wide, never overlap: months are longer)."""
    if parcours.date_sortie is None or parcours.fin_maintien is None:
        return []
    prevus = []
    for rang in range(1, DUREE_MAINTIEN_MOIS + 1):
        prevu = ajouter_mois(parcours.date_sortie, rang)
        if parcours.maintien_clos_le and prevu > parcours.maintien_clos_le:
            break
        contact = ContactPrevu(rang, prevu, fait=False)
        contact.fait = any(contact.debut <= jour <= contact.limite for jour in dates_des_contacts)
        prevus.append(contact)
    return prevus


# --- Who may act, and when ------------------------------------------------------------------

NON_CONDUCTEUR = "Seul le prestataire chargé de ce parcours peut le modifier."


def verrouiller(parcours: Parcours, par) -> Parcours:
    """The parcours, locked for the change, if `par` conducts it."""
    parcours = Parcours.objects.select_for_update(of=("self",)).get(pk=parcours.pk)
    if not peut_conduire(parcours, par):
        raise PermissionDenied(NON_CONDUCTEUR)
    return parcours


def exiger(transition, par, refus: str):
    """The rule of a parcours' or stage's transition (who conducts it, from which state)."""
    exiger_transition(transition, par, refus=refus, interdit=NON_CONDUCTEUR)


def exiger_actif(parcours: Parcours, quoi: str):
    """No event is recorded on a parcours not entered yet, or after its closure."""
    if parcours.etat == EtatParcours.ATTENTE_ENTREE:
        raise ValidationError(f"Enregistrez d'abord l'entrée avant {quoi}.")
    if not parcours.est_actif:
        raise ValidationError(
            f"Le parcours est {parcours.get_etat_display().lower()} : plus de {quoi} possible."
        )


def _exiger_date_du_parcours(parcours: Parcours, jour: date, libelle: str = "La date"):
    if jour > today():
        raise ValidationError(f"{libelle} ({jour:%d/%m/%Y}) est dans le futur.")
    if jour < parcours.date_entree:
        raise ValidationError(
            f"{libelle} ({jour:%d/%m/%Y}) précède l'entrée en parcours "
            f"({parcours.date_entree:%d/%m/%Y})."
        )
    if parcours.date_sortie and jour > parcours.date_sortie:
        raise ValidationError(
            f"{libelle} ({jour:%d/%m/%Y}) suit la sortie du parcours "
            f"({parcours.date_sortie:%d/%m/%Y})."
        )


# --- Ordered, withdrawn (the orders' signals, prestataires/receivers.py) --------------------


def lancer_les_parcours(bon, lignes) -> None:
    """The people an acknowledged order or avenant launches: one parcours each, waiting for
    entry, with its process."""
    parcours_list = [
        Parcours.objects.create(
            ligne=ligne,
            prestataire_id=ligne.bon.prestataire_id,
            demandeur_id=ligne.prescription.demandeur_id,
            lot_id=ligne.bon.lot_id,
            duree_mois=ligne.duree_mois,
        )
        for ligne in lignes
    ]
    for parcours in parcours_list:
        lancer(parcours, "demarrer")
    session_modifiee.send(sender=Parcours, bon=bon)


def annuler_avant_l_entree(ligne, *, par, motif: str) -> None:
    """A person withdrew: their parcours, not entered yet, is cancelled with its process. Once
    entered, it is no withdrawal: the whole withdrawal is refused."""
    parcours = Parcours.objects.select_for_update(of=("self",)).filter(ligne=ligne).first()
    if parcours is not None:
        exiger_transition(
            parcours.annuler,
            par,
            refus=f"{ligne.prescription.demandeur} est entré(e) en parcours : ce n'est plus un "
            "désistement mais une sortie anticipée ou une rupture, à enregistrer sur le parcours.",
        )
        parcours.annuler(par=par, motif=motif)
        parcours.save()
        annuler_processus(parcours)
    session_modifiee.send(sender=Parcours, bon=ligne.bon)


def parcours_non_termines(bon) -> int:
    return Parcours.objects.filter(ligne__bon=bon).exclude(etat__in=ETATS_CLOS).count()


# --- Assignment and entry -----------------------------------------------------------------


def attribuer(parcours: Parcours, *, par, charge) -> Parcours:
    parcours = Parcours.objects.select_for_update(of=("self",)).get(pk=parcours.pk)
    if not peut_attribuer(parcours, par):
        raise PermissionDenied("Seule la direction du prestataire attribue ses parcours.")
    if parcours.est_clos:
        raise ValidationError(
            f"Le parcours est {parcours.get_etat_display().lower()} : il ne se confie plus."
        )
    if charge.prestataire_id != parcours.prestataire_id or not charge.is_active:
        raise ValidationError(f"{charge} n'est pas un membre actif de {parcours.prestataire}.")
    parcours.charge = charge
    parcours.save(update_fields=["charge"])
    return parcours


def _entrer(parcours: Parcours, *, par, date_premier_contact: date, date_entree: date):
    """The person enters: the planned end follows from the validated duration (lot 2: 8)."""
    parcours = verrouiller(parcours, par)
    exiger(parcours.entrer, par, "L'entrée de cette personne est déjà enregistrée.")
    accuse_le = parcours.ligne.date_de_commande()
    erreurs = {}
    if date_premier_contact > date_entree:
        erreurs["date_premier_contact"] = "Le premier contact ne peut pas suivre l'entrée."
    if date_entree > today():
        erreurs["date_entree"] = "La date d'entrée est dans le futur."
    elif accuse_le and date_entree < accuse_le:
        erreurs["date_entree"] = (
            f"L'entrée ne peut pas précéder la commande du parcours ({accuse_le:%d/%m/%Y})."
        )
    if erreurs:
        raise ValidationError(erreurs)
    parcours.date_premier_contact = date_premier_contact
    parcours.date_entree = date_entree
    parcours.fin_prevue = fin_prevue_du_parcours(date_entree, parcours.duree_mois)
    parcours.entrer(par=par, motif=f"Entrée le {date_entree:%d/%m/%Y}")
    parcours.save()
    return parcours


# --- Suspension ---------------------------------------------------------------------------


def jours_suspendus(parcours: Parcours) -> int:
    total = 0
    for suspension in parcours.suspensions.filter(fin__isnull=False).only("debut", "fin"):
        total += suspension.jours
    return total


def _suspendre(parcours: Parcours, *, par, debut: date, motif: str, commentaire: str = ""):
    """Health, family or housing: a pause, not a rupture; the parcours resumes where it
    stopped."""
    parcours = verrouiller(parcours, par)
    exiger(parcours.suspendre, par, "Seul un parcours en cours peut être suspendu.")
    _exiger_date_du_parcours(parcours, debut, "Le début de la suspension")
    derniere = parcours.suspensions.order_by("-fin").first()
    if derniere and debut < derniere.fin:
        raise ValidationError(
            f"La suspension ne peut pas commencer avant la dernière reprise "
            f"({derniere.fin:%d/%m/%Y})."
        )
    if debut > parcours.fin_prevue:
        raise ValidationError(
            f"Le parcours devait finir le {parcours.fin_prevue:%d/%m/%Y} : enregistrez sa sortie."
        )
    suspension = Suspension.objects.create(
        parcours=parcours, debut=debut, motif=motif, commentaire=commentaire, par=par
    )
    parcours.suspendre(
        par=par, motif=": ".join(filter(None, [suspension.get_motif_display(), commentaire]))
    )
    parcours.save()
    return suspension


def _terminer_suspension(parcours: Parcours, fin: date, quoi: str) -> Suspension:
    suspension = parcours.suspensions.get(fin__isnull=True)
    if fin <= suspension.debut:
        raise ValidationError(
            f"{quoi} doit suivre le début de la suspension ({suspension.debut:%d/%m/%Y})."
        )
    if fin > today():
        raise ValidationError(f"{quoi} ({fin:%d/%m/%Y}) est dans le futur.")
    suspension.fin = fin
    suspension.save(update_fields=["fin"])
    return suspension


def _reprendre(parcours: Parcours, *, par, reprise: date):
    """The planned end moves back by as many days as the suspension lasted."""
    parcours = verrouiller(parcours, par)
    exiger(parcours.reprendre, par, "Ce parcours n'est pas suspendu.")
    suspension = _terminer_suspension(parcours, reprise, "La reprise")
    parcours.fin_prevue = fin_prevue_du_parcours(
        parcours.date_entree, parcours.duree_mois, jours_suspendus(parcours)
    )
    parcours.reprendre(
        par=par,
        motif=f"Reprise après {suspension.jours} jour(s) ; fin prévue le "
        f"{parcours.fin_prevue:%d/%m/%Y}",
    )
    parcours.save()
    return parcours


# --- Exit and maintien ----------------------------------------------------------------------


# What an early end must say (CCTP; docs/domaine.md step 7): any early end its reason; a rupture
# also the difficulties that led to it and préconisations, which the bilan details. A sortie
# anticipée (hired before the term, for example) owes no difficulties.
PRECISIONS_DE_LA_FIN = {
    "motif_sortie": (
        TYPES_FIN_ANTICIPEE,
        "Pour une sortie anticipée ou une rupture, précisez le motif.",
    ),
    "difficultes": (TYPES_RUPTURE, "Pour une rupture, précisez les difficultés rencontrées."),
    "preconisations": (TYPES_RUPTURE, "Pour une rupture, précisez les préconisations."),
}


def verifier_sortie(
    parcours: Parcours,
    *,
    date_sortie: date,
    type_fin: str,
    motif_sortie: str = "",
    difficultes: str = "",
    preconisations: str = "",
    **autres,
) -> None:
    """The rules of an exit, checked before it is recorded (and before the page asks the user
    to confirm it): at term, it needs a finished stage and the planned end reached; early, what
    PRECISIONS_DE_LA_FIN asks. A ValidationError names the fields."""
    erreurs = {}
    if date_sortie < parcours.date_entree:
        erreurs["date_sortie"] = (
            f"La sortie ne peut pas précéder l'entrée ({parcours.date_entree:%d/%m/%Y})."
        )
    elif date_sortie > today():
        erreurs["date_sortie"] = "La date de sortie est dans le futur."
    if parcours.stages.filter(etat=EtatStage.EN_COURS).exists():
        erreurs["type_fin"] = "Un stage est en cours : enregistrez d'abord son bilan."
    elif type_fin == TypeFin.TERME:
        if not parcours.stages.filter(etat=EtatStage.TERMINE).exists():
            erreurs["type_fin"] = (
                "Un parcours ne peut être mené à son terme sans au moins un stage en "
                "entreprise terminé."
            )
        if "date_sortie" not in erreurs and date_sortie < parcours.fin_prevue:
            erreurs["date_sortie"] = (
                f"Le terme du parcours est le {parcours.fin_prevue:%d/%m/%Y} : avant, c'est "
                "une sortie anticipée."
            )
    valeurs = {
        "motif_sortie": motif_sortie,
        "difficultes": difficultes,
        "preconisations": preconisations,
    }
    for champ, (types_fin, manque) in PRECISIONS_DE_LA_FIN.items():
        if type_fin in types_fin and not valeurs[champ].strip():
            erreurs[champ] = manque
    if erreurs:
        raise ValidationError(erreurs)


def _sortir(
    parcours: Parcours,
    *,
    par,
    date_sortie: date,
    type_fin: str,
    type_sortie,
    motif_sortie: str = "",
    difficultes: str = "",
    preconisations: str = "",
    satisfaction: int | None = None,
):
    """Record the exit (verifier_sortie). The class of the exit (ED, SD, SP) follows from the
    situation at exit."""
    parcours = verrouiller(parcours, par)
    exiger(
        parcours.sortir,
        par,
        f"Une sortie ne s'enregistre que sur un parcours en cours "
        f"(celui-ci est {parcours.get_etat_display().lower()}).",
    )
    verifier_sortie(
        parcours,
        date_sortie=date_sortie,
        type_fin=type_fin,
        motif_sortie=motif_sortie,
        difficultes=difficultes,
        preconisations=preconisations,
    )
    if parcours.etat == EtatParcours.SUSPENDU:
        _terminer_suspension(parcours, date_sortie, "La sortie")
    for stage in parcours.stages.filter(etat__in=ETATS_STAGE_NON_COMMENCE):
        stage.annuler(par=par, motif="Sortie du parcours avant le stage")
        stage.save()
    parcours.date_sortie = date_sortie
    parcours.type_fin = type_fin
    parcours.type_sortie = type_sortie
    parcours.motif_sortie = motif_sortie
    parcours.difficultes = difficultes
    parcours.preconisations = preconisations
    parcours.satisfaction = satisfaction
    parcours.sortir(par=par, motif=f"{parcours.get_type_fin_display()} : {type_sortie}")
    if parcours.etat == EtatParcours.MAINTIEN:
        parcours.fin_maintien = fin_du_maintien(date_sortie)
    parcours.save()
    return parcours


# The steps of the parcours' process: each entry point runs its rule and completes the task in
# one transaction.


def _etape(parcours: Parcours, nom: str, par, regle, **arguments):
    """Run `regle` as the parcours' step `nom`. An entry, a suspension, a resumption or an
    exit moves the end of the session: the apps downstream are told (session_modifiee)."""

    def faire():
        resultat = regle(parcours, par=par, **arguments)
        session_modifiee.send(sender=Parcours, bon=parcours.ligne.bon)
        return resultat

    return accomplir(parcours.process, nom, par=par, action=faire)


def entrer(parcours: Parcours, *, par, **dates):
    return _etape(parcours, "entrer", par, _entrer, **dates)


def suspendre(parcours: Parcours, *, par, **suspension):
    return _etape(parcours, "conduire", par, _suspendre, **suspension)


def reprendre(parcours: Parcours, *, par, reprise: date):
    return _etape(parcours, "reprendre", par, _reprendre, reprise=reprise)


def _etape_en_cours(parcours: Parcours) -> str:
    """A running parcours waits on its "conduire" step; a suspended one on "reprendre"."""
    parcours.refresh_from_db(fields=["etat"])
    return "reprendre" if parcours.etat == EtatParcours.SUSPENDU else "conduire"


def sortir(parcours: Parcours, *, par, **sortie):
    return _etape(parcours, _etape_en_cours(parcours), par, _sortir, **sortie)


def clore_maintien(parcours: Parcours, *, par, motif: str = ""):
    """The prestataire ends the follow-up before its 3 months."""

    def clore():
        motif_de_cloture = motif or "Maintien clos par le prestataire"
        return _clore_maintien(verrouiller(parcours, par), par=par, motif=motif_de_cloture)

    return accomplir(parcours.process, "maintenir", par=par, action=clore)


def moment_de_cloture_du_maintien(parcours: Parcours) -> datetime:
    """Midnight, Nouméa time, on the day the 3 months after the exit are over."""
    return a_minuit(parcours.fin_maintien)


def clore_maintien_echu(parcours: Parcours):
    """The 3 months are over: the follow-up closes itself (the flow's timer)."""
    parcours = Parcours.objects.select_for_update(of=("self",)).get(pk=parcours.pk)
    return _clore_maintien(
        parcours, par=None, motif=f"Fin des {DUREE_MAINTIEN_MOIS} mois de maintien"
    )


def _clore_maintien(parcours, *, par, motif):
    """`par` None: the flow's timer closes it."""
    exiger(parcours.clore_maintien, par, "Ce parcours n'est pas en maintien dans l'emploi.")
    parcours.maintien_clos_le = min(today(), parcours.fin_maintien)
    parcours.clore_maintien(par=par, motif=motif)
    parcours.save()
    return parcours


def noter_contact_maintien(parcours: Parcours, *, par, **champs) -> ContactMaintien:
    parcours = verrouiller(parcours, par)
    if not parcours.en_maintien:
        raise ValidationError("Les contacts de maintien suivent une sortie en emploi.")
    jour = champs["date"]
    if not parcours.date_sortie <= jour <= min(today(), parcours.fin_maintien):
        raise ValidationError(
            {
                "date": f"Un contact de maintien a lieu entre la sortie "
                f"({parcours.date_sortie:%d/%m/%Y}) et aujourd'hui, dans les "
                f"{DUREE_MAINTIEN_MOIS} mois."
            }
        )
    return ContactMaintien.objects.create(parcours=parcours, par=par, **champs)


# --- Plan d'action, rendez-vous, evaluations --------------------------------------------------


def valider_projet(parcours: Parcours, *, par, projet: str, valide_le: date):
    parcours = verrouiller(parcours, par)
    exiger_actif(parcours, "plan d'action")
    _exiger_date_du_parcours(parcours, valide_le, "La validation du projet")
    parcours.projet_professionnel = projet
    parcours.projet_valide_le = valide_le
    parcours.save(update_fields=["projet_professionnel", "projet_valide_le"])
    return parcours


def ajouter_action(parcours: Parcours, *, par, **champs) -> ActionPlan:
    parcours = verrouiller(parcours, par)
    exiger_actif(parcours, "plan d'action")
    if champs["echeance"] < parcours.date_entree:
        raise ValidationError({"echeance": "L'échéance précède l'entrée en parcours."})
    return ActionPlan.objects.create(parcours=parcours, **champs)


def changer_statut_action(action: ActionPlan, *, par, statut: str) -> ActionPlan:
    parcours = verrouiller(action.parcours, par)
    exiger_actif(parcours, "plan d'action")
    action.statut = statut
    action.save(update_fields=["statut"])
    return action


def noter_rendez_vous(
    parcours: Parcours, *, par, freins_travailles=(), freins_leves=(), **champs
) -> RendezVous:
    parcours = verrouiller(parcours, par)
    exiger_actif(parcours, "rendez-vous")
    _exiger_date_du_parcours(parcours, champs["date"], "La date du rendez-vous")
    module = champs.get("module")
    if module and module.prestataire_id != parcours.prestataire_id:
        raise PermissionDenied("Ce module n'est pas celui de votre structure.")
    rendez_vous = RendezVous.objects.create(parcours=parcours, par=par, **champs)
    rendez_vous.freins_travailles.set(freins_travailles)
    rendez_vous.freins_leves.set(freins_leves)
    return rendez_vous


def evaluer(parcours: Parcours, *, par, **champs) -> Evaluation:
    """Four axes, 1 to 4: one evaluation at entry, any during the parcours, one at exit
    (recorded up to the end of the maintien)."""
    parcours = verrouiller(parcours, par)
    moment = champs["moment"]
    if moment == MomentEvaluation.SORTIE:
        if not parcours.evaluable:
            raise ValidationError("Ce parcours est clos : plus d'évaluation possible.")
    else:
        exiger_actif(parcours, "évaluation")
    _exiger_date_du_parcours(parcours, champs["date"], "La date de l'évaluation")
    if moment != MomentEvaluation.INTERMEDIAIRE and (
        parcours.evaluations.filter(moment=moment).exists()
    ):
        raise ValidationError(
            {"moment": f"L'évaluation « {MomentEvaluation(moment).label.lower()} » existe déjà."}
        )
    return Evaluation.objects.create(parcours=parcours, par=par, **champs)


# --- Collective modules ---------------------------------------------------------------------


def inscrire_au_module(module: ModuleCollectif, parcours_list, *, par) -> int:
    """Entries go on au fil de l'eau: a running parcours joins a module at any time."""
    if par.prestataire_id != module.prestataire_id:
        raise PermissionDenied("Ce module n'est pas celui de votre structure.")
    ajoutes = 0
    for parcours in parcours_list:
        parcours = verrouiller(parcours, par)
        exiger_actif(parcours, "module")
        module.participants.add(parcours)
        ajoutes += 1
    return ajoutes


def retirer_du_module(module: ModuleCollectif, parcours: Parcours, *, par):
    if par.prestataire_id != module.prestataire_id:
        raise PermissionDenied("Ce module n'est pas celui de votre structure.")
    module.participants.remove(parcours)
