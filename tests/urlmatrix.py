"""Every URL of the application, resolved to a concrete address on the demo data."""

from datetime import date

from django.urls import URLPattern, URLResolver, get_resolver
from viewflow.workflow.models import Task

from accounts.roles import Role
from bons_de_commande.models import Avenant, BonDeCommande
from prestataires.models import Entreprise, ModuleCollectif, Parcours, Stage
from prestataires.services import attribuer
from procurement.models import Demandeur, Prescription, Prestataire, SessionCommission
from remunerations.models import EtatRemuneration
from reporting.models import BilanFinParcours
from tests.factories import UserFactory

EXCLUDED_NAMESPACES = ("admin:",)
AUTH_PAGES = {
    "login", "logout", "password_change", "password_change_done", "password_reset",
    "password_reset_done", "password_reset_confirm", "password_reset_complete",
    # The second factor (tests/accounts/test_deux_facteurs.py): every logged-in user's own.
    "deux_facteurs_verifier", "deux_facteurs_enroler", "deux_facteurs_codes",
}  # fmt: skip


def _walk(patterns, ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, ns + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern):
            yield ns + (p.name or ""), p


def all_url_names():
    return set(all_url_views())


def all_url_views():
    """Every URL name of the project (but the admin's and the login pages) and its view's
    class (None for a plain function)."""
    return {
        name: getattr(pattern.callback, "view_class", None)
        for name, pattern in _walk(get_resolver().url_patterns)
        if not name.startswith(EXCLUDED_NAMESPACES) and name not in AUTH_PAGES
    }


def demo_objects():
    """The demo records each URL is tried on (seed_demo must have run)."""
    brouillon = Prescription.objects.get(demandeur__nom="POITHILY")  # completer task, conseiller1
    attente = Prescription.objects.get(demandeur__nom="WAMYTAN")  # cosigner task, ts1
    soumise = Prescription.objects.get(demandeur__nom="DUPONT")
    session_beta = SessionCommission.objects.get(prestataire__code="BETA", etat="preparation")
    avenant = Avenant.objects.get()
    kaouma = Parcours.objects.get(demandeur__nom="KAOUMA")
    # The demo has no stage yet (KAOUMA is the demo path): one is written here, for its pages.
    stage, _ = Stage.objects.get_or_create(
        parcours=kaouma,
        defaults={
            "entreprise": Entreprise.objects.filter(prestataire__code="ALPHA").first(),
            "objet": "decouvrir", "objectifs": "Découvrir la vente", "tuteur_nom": "J. Tein",
            "debut": date(2026, 12, 7), "fin": date(2026, 12, 18), "heures_hebdo": 35,
            "activites_competences": "Vente", "criteres_evaluation": "Assiduité",
            "cree_par": kaouma.charge,
        },
    )  # fmt: skip
    # ALPHA's October état: declared, waiting to be submitted (August and September are
    # reconciled).
    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=date(2026, 10, 1))
    return {
        # ALPHA's November session (its summer session launched the stipends' demo).
        "session": SessionCommission.objects.get(
            prestataire__code="ALPHA", date_seance=date(2026, 11, 10)
        ),
        "session_beta": session_beta,
        "bon": BonDeCommande.objects.get(pk=avenant.bon_id),  # acknowledged
        "avenant": avenant,  # issued, waiting for ALPHA's acknowledgement
        "parcours": kaouma,
        "stage": stage,
        "module": ModuleCollectif.objects.get(prestataire__code="ALPHA"),
        "entreprise": stage.entreprise,
        "etat": etat,
        "bilan": BilanFinParcours.objects.get(bon__numero="BC-2026-0001"),
        "flow_tasks": {
            "suiviparcours": Task.objects.filter(process__parcours__isnull=False),
            "commission": Task.objects.filter(process__session_commission__isnull=False),
            "avenant": Task.objects.filter(process=avenant.process),
            "remuneration": Task.objects.filter(process__etat_remuneration__isnull=False),
            "bilan": Task.objects.filter(process__bilan__isnull=False),
        },
        "demandeur": Demandeur.objects.get(nom="DUPONT"),
        "prescription": soumise,
        "tasks": {
            "completer": Task.objects.get(
                process=brouillon.process, flow_task_type="HUMAN", finished__isnull=True
            ),
            "cosigner": Task.objects.get(
                process=attente.process, flow_task_type="HUMAN", finished__isnull=True
            ),
            "prescrire": Task.objects.get(process=soumise.process, flow_task_type="HUMAN_START"),
            "aiguiller": Task.objects.filter(
                process=soumise.process, flow_task_type="SWITCH"
            ).first(),
            "soumise": Task.objects.filter(process=soumise.process, flow_task_type="END").first(),
            "cosigner__timeout": Task.objects.get(process=attente.process, status="SCHEDULED"),
        },
    }


def flow_task(objects, flow, node):
    """The node's open task if there is one, else its latest, else a human task of the flow
    (the demo's parcours has not reached every step)."""
    tasks = objects["flow_tasks"][flow].order_by("-pk")
    for candidates in (
        tasks.filter(flow_task__endswith=f".{node}", finished__isnull=True),
        tasks.filter(flow_task__endswith=f".{node}"),
        tasks.filter(flow_task_type="HUMAN"),
        tasks,
    ):
        task = candidates.first()
        if task is not None:
            return task


def autre_charge(demo):
    """alpha3, a chargé d'insertion of ALPHA who follows WAIA (ALPHA's summer session), not
    KAOUMA: the "other chargé" of the matrices, beside alpha2 who follows KAOUMA."""
    demo["alpha3"] = UserFactory(
        username="alpha3",
        prestataire=Prestataire.objects.get(code="ALPHA"),
        role=Role.PRESTATAIRE_CHARGE,
    )
    attribuer(
        Parcours.objects.get(demandeur__nom="WAIA"), par=demo["alpha1"], charge=demo["alpha3"]
    )
    return demo["alpha3"]
