"""When each waiting task is due (docs/domaine.md), so that a home page starts with what is late
and what is due soon, and the managers' dashboard and the home never disagree on a delay.

One rule per kind of task that has a due date: which tasks of its nodes are due on or before a
day (in SQL, on the task's record, so that the home counts and orders them without reading
them all), and each one's alert, built by the dashboard's own function (reporting/pilotage.py).
Tasks of other nodes (completing a prescription, issuing an order, examining a bilan,
reconciling a month) have no due date."""

import operator
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache, reduce

from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task

from accounts.roles import Role
from bons_de_commande.services import DELAI_ACCUSE_RECEPTION
from prestataires.models import Parcours
from prestataires.suivi import DELAI_ENTREE, SILENCE_REFERENT
from procurement.calendrier import a_minuit, ajouter_mois, mois_de
from procurement.services import DELAI_RAPPEL_COSIGNATURE
from remunerations.models import EtatRemuneration
from reporting import bilans, pilotage
from reporting.pilotage import Alerte
from workflows.flows import (
    AvenantFlow,
    BilanFlow,
    CommissionFlow,
    PrescriptionFlow,
    RemunerationFlow,
    SuiviParcoursFlow,
)
from workflows.taches import noeud, task_url

# Due soon: within the fortnight, as the dashboard's bilans "à transmettre".
HORIZON = pilotage.HORIZON_BIENTOT_DU


def _avant_le_jour(limite: date, delai: timedelta):
    """The moments whose local day plus `delai` is on or before `limite`: those before
    midnight (Nouméa) of the day after `limite - delai`."""
    return a_minuit(limite - delai + timedelta(days=1))


def dernier_mois_du(limite: date) -> date:
    """The latest month whose état de rémunération is due on or before `limite` (its
    date_limite, the 10th of the next month)."""
    mois = ajouter_mois(mois_de(limite), -1)
    if EtatRemuneration(mois=mois).date_limite > limite:
        mois = ajouter_mois(mois, -1)
    return mois


def _alerte_bilan(task, jour):
    bilan = task.process.bilan
    if bilans.jours_de_retard(bilan, jour):
        return pilotage.alerte_bilan_en_retard(bilan, jour)
    return pilotage.alerte_bilan_bientot_du(bilan, jour)


def _alerte_bon(task, jour):
    bon = task.process.session_commission.bon_de_commande
    return pilotage.alerte_commande(bon, bon.prestataire, jour)


def _alerte_avenant(task, jour):
    avenant = task.process.avenant
    return pilotage.alerte_commande(avenant, avenant.bon.prestataire, jour)


def _alerte_seance(task, jour):
    """A séance's agenda is prepared, and its decisions taken, by the day of the séance."""
    seance = task.process.session_commission
    return Alerte(
        str(seance),
        seance.prestataire.code,
        seance.date_seance,
        pilotage.retard_le(jour, seance.date_seance),
        task_url(task),
        f"séance du {seance.date_seance:%d/%m/%Y}",
    )


def _echeance_cosignature(task) -> date:
    """The travailleur social is reminded 5 days after the co-signature was asked."""
    return timezone.localdate(task.created) + DELAI_RAPPEL_COSIGNATURE


def _alerte_cosignature(task, jour):
    echeance = _echeance_cosignature(task)
    return Alerte(
        str(task.process.prescription),
        "",
        echeance,
        pilotage.retard_le(jour, echeance),
        task_url(task),
        f"co-signature demandée le {timezone.localdate(task.created):%d/%m/%Y}",
    )


def _silencieux(jour: date) -> QuerySet:
    """The task's parcours when it is silent on `jour`: the dashboard's rule
    (pilotage.silencieux), on that one parcours."""
    return pilotage.silencieux(
        Parcours.objects.filter(pk=OuterRef("process__parcours")), jour, SILENCE_REFERENT
    )


def _acquittee_avant(moment, chemin="process__parcours__ligne__") -> Q:
    """The parcours' order (the avenant that added the person, or else the order) was
    acknowledged before `moment` (LigneCommande.date_de_commande)."""
    return Q(
        **{f"{chemin}avenant_ajout__isnull": False, f"{chemin}avenant_ajout__accuse_le__lt": moment}
    ) | Q(**{f"{chemin}avenant_ajout__isnull": True, f"{chemin}bon__accuse_le__lt": moment})


@dataclass(frozen=True)
class Regle:
    """Tasks of some nodes with a due date. `dues(jour, limite)`: those due on or before
    `limite` as seen on `jour` (a Q on Task); `ordre`: the order of their due dates;
    `alerte(task, jour)`: the line the home shows, with the due date and the days late."""

    noeuds: tuple
    dues: Callable[[date, date], Q]
    ordre: tuple
    alerte: Callable[[Task, date], Alerte]
    # The due date read from the task's record alone (None: not known yet, or, for a running
    # parcours, known only once it is silent).
    echeance: Callable[[Task], date | None]
    annoter: Callable[[QuerySet, date], QuerySet] = field(default=lambda taches, jour: taches)

    @property
    def taches_du_noeud(self) -> list:
        return [noeud(flow, nom) for flow, nom in self.noeuds]

    def q(self, jour: date, limite: date) -> Q:
        return Q(flow_task__in=self.taches_du_noeud) & self.dues(jour, limite)

    def lignes(self, taches: QuerySet, q: Q, jour: date, nombre: int) -> list:
        """The first `nombre` tasks among `taches` matching `q`, the earliest due first, each
        with its alert."""
        taches = self.annoter(taches.filter(q), jour).order_by(*self.ordre, "created", "pk")
        return [(task, self.alerte(task, jour)) for task in taches[:nombre]]


REGLES = (
    # docs/domaine.md step 9: one month after the end of the session.
    Regle(
        ((BilanFlow, "rediger"),),
        lambda jour, limite: Q(process__bilan__echeance__lte=limite),
        ("process__bilan__echeance",),
        _alerte_bilan,
        lambda task: task.process.bilan.echeance,
    ),
    # The 10th of the next month.
    Regle(
        ((RemunerationFlow, "declarer"),),
        lambda jour, limite: Q(process__etat_remuneration__mois__lte=dernier_mois_du(limite)),
        ("process__etat_remuneration__mois",),
        lambda task, jour: pilotage.alerte_etat(task.process.etat_remuneration, jour),
        lambda task: task.process.etat_remuneration.date_limite,
    ),
    # 5 days after the order, or the avenant, was issued.
    Regle(
        ((CommissionFlow, "accuser_reception"),),
        lambda jour, limite: Q(
            process__session_commission__bon_de_commande__emis_le__lt=_avant_le_jour(
                limite, DELAI_ACCUSE_RECEPTION
            )
        ),
        ("process__session_commission__bon_de_commande__emis_le",),
        _alerte_bon,
        lambda task: pilotage.echeance_de_l_accuse(task.process.session_commission.bon_de_commande),
    ),
    Regle(
        ((AvenantFlow, "accuser_reception"),),
        lambda jour, limite: Q(
            process__avenant__emis_le__lt=_avant_le_jour(limite, DELAI_ACCUSE_RECEPTION)
        ),
        ("process__avenant__emis_le",),
        _alerte_avenant,
        lambda task: pilotage.echeance_de_l_accuse(task.process.avenant),
    ),
    # 15 days after the order that holds the person was acknowledged.
    Regle(
        ((SuiviParcoursFlow, "entrer"),),
        lambda jour, limite: _acquittee_avant(_avant_le_jour(limite, DELAI_ENTREE)),
        (pilotage.commande_du_parcours("process__parcours__").asc(),),
        lambda task, jour: pilotage.alerte_entree(task.process.parcours, jour),
        lambda task: pilotage.echeance_de_l_entree(task.process.parcours),
    ),
    # A running parcours without contact for 15 days: late only (every running parcours is
    # due for a contact within the fortnight).
    Regle(
        ((SuiviParcoursFlow, "conduire"),),
        lambda jour, limite: Q(Exists(_silencieux(jour))),
        ("dernier_contact",),
        lambda task, jour: pilotage.alerte_silence(
            task.process.parcours, task.dernier_contact, jour
        ),
        lambda task: None,
        lambda taches, jour: taches.annotate(
            dernier_contact=Subquery(
                _silencieux(jour).values("dernier_contact")[:1], output_field=DateField()
            )
        ),
    ),
    # The séance's date.
    Regle(
        ((CommissionFlow, "preparer"), (CommissionFlow, "deliberer")),
        lambda jour, limite: Q(process__session_commission__date_seance__lte=limite),
        ("process__session_commission__date_seance",),
        _alerte_seance,
        lambda task: task.process.session_commission.date_seance,
    ),
    # Reminded 5 days after the co-signature was asked.
    Regle(
        ((PrescriptionFlow, "cosigner"),),
        lambda jour, limite: Q(created__lt=_avant_le_jour(limite, DELAI_RAPPEL_COSIGNATURE)),
        (),
        _alerte_cosignature,
        _echeance_cosignature,
    ),
)


@cache
def _regles_par_noeud() -> dict:
    return {node: regle for regle in REGLES for node in regle.taches_du_noeud}


def echeance_de(task) -> date | None:
    """The task's due date, when its record tells it (see Regle.echeance)."""
    regle = _regles_par_noeud().get(task.flow_task)
    return regle.echeance(task) if regle else None


def _ou(conditions) -> Q:
    return reduce(operator.or_, conditions)


@dataclass
class Ligne:
    """A task due, its alert (due date, days late, situation) and the page where to do it."""

    task: Task
    alerte: Alerte
    lien: str
    jour: date

    @property
    def jours_restants(self) -> int:
        return (self.alerte.echeance - self.jour).days


@dataclass
class Priorites:
    """What a user must do first: the tasks late (the most late first) and those due by
    `limite` (the earliest first), `nombre` of each at most, and how many there are."""

    en_retard: list
    bientot: list
    total_en_retard: int
    total_bientot: int
    jour: date
    limite: date
    urgentes: Q = field(repr=False)


def priorites(taches: QuerySet, jour: date, nombre: int) -> Priorites:
    """Among `taches`, those late on `jour` and those due within the HORIZON, with their
    alerts. A constant number of queries: one counts them by node, then each rule with tasks
    to show reads its first ones."""
    limite, veille = jour + HORIZON, jour - timedelta(days=1)
    en_retard = _ou(regle.q(jour, veille) for regle in REGLES)
    urgentes = _ou(regle.q(jour, limite) for regle in REGLES)
    comptes = {
        ligne["flow_task"]: ligne
        for ligne in taches.filter(urgentes)
        .order_by()
        .values("flow_task")
        .annotate(retard=Count("pk", filter=en_retard), total=Count("pk"))
    }
    retards, bientots = [], []
    for regle in REGLES:
        lignes = [comptes[n] for n in regle.taches_du_noeud if n in comptes]
        if any(ligne["retard"] for ligne in lignes):
            retards += regle.lignes(taches, regle.q(jour, veille), jour, nombre)
        if any(ligne["total"] > ligne["retard"] for ligne in lignes):
            dues = regle.q(jour, limite) & ~regle.q(jour, veille)
            bientots += regle.lignes(taches, dues, jour, nombre)

    def premieres(lignes):
        lignes.sort(key=lambda ligne: (ligne[1].echeance, ligne[0].created, ligne[0].pk))
        return [Ligne(task, alerte, task_url(task), jour) for task, alerte in lignes[:nombre]]

    total_en_retard = sum(ligne["retard"] for ligne in comptes.values())
    return Priorites(
        en_retard=premieres(retards),
        bientot=premieres(bientots),
        total_en_retard=total_en_retard,
        total_bientot=sum(ligne["total"] for ligne in comptes.values()) - total_en_retard,
        jour=jour,
        limite=limite,
        urgentes=urgentes,
    )


@dataclass
class ASuivre:
    """One of the dashboard's lists, for the DEL's staff who follow the prestataires' work:
    how many it holds, its most urgent line and where to read it all."""

    titre: str
    total: int
    premiere: Alerte | None
    lien: str


def a_suivre(user, jour: date) -> list[ASuivre]:
    """What the DEL's staff chase (they are alerted when it is late): the managers' dashboard
    lists, for its readers; the états de rémunération not submitted, for finance; the parcours
    of his prescriptions not entered or without contact, for the conseiller référent. A
    prestataire's users do their own late work: it is among their tasks."""
    if user.prestataire_id:
        return []
    if user.has_perm("reporting.consulter_indicateurs"):
        tableau = reverse("pilotage:index")
        sources = [(s, f"{tableau}?liste={s.cle}") for s in pilotage.sources(user, jour)]
    elif user.has_perm("remunerations.view_etatremuneration"):
        sources = [(pilotage.etats_non_soumis(user, jour), reverse("remunerations:index"))]
    elif user.has_role(Role.CONSEILLER):
        sources = [
            (
                replace(
                    source,
                    titre=f"{source.titre}, de mes prescriptions",
                    lignes=source.lignes.filter(ligne__prescription__conseiller=user),
                ),
                reverse("parcours:index"),
            )
            for source in (
                pilotage.parcours_non_entres(user, jour),
                pilotage.parcours_silencieux(user, jour),
            )
        ]
    else:
        return []
    resultat = []
    for source, lien in sources:
        premiere = source.alertes(list(source.lignes[:1]))
        total = source.total() if premiere else 0
        resultat.append(ASuivre(source.titre, total, premiere[0] if premiere else None, lien))
    return resultat
