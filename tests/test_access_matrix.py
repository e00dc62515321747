"""Every kind of user's access to every page and file, on a given record: a new URL that is not
listed here fails the test. The users are the demo's roles and, for the records of KAOUMA
(her order, parcours, stage), what they are to them: ALPHA's direction (alpha1), her chargé
(alpha2), another chargé of ALPHA (alpha3, who follows WAIA), another prestataire (beta1,
gamma1). The actions of the pages are in test_matrice_actions.py."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from procurement.models import Lot, Prestataire
from reporting.models import BilanAnnuel
from tests.urlmatrix import all_url_names, autre_charge, demo_objects, flow_task
from travaux.models import Etat, Travail

USERS = [
    "admin", "conseiller1", "conseiller2", "ts1", "commission1", "gestionnaire1", "finance1",
    "alpha1", "alpha2", "alpha3", "beta1", "gamma1",
]  # fmt: skip
DEL_READERS = {"admin", "conseiller1", "conseiller2", "ts1", "commission1", "gestionnaire1"}
CONSEILLERS = {"conseiller1", "conseiller2"}
# The demo orders are ALPHA's: BETA and GAMMA must not even learn they exist (404), nor a
# chargé of ALPHA who does not follow KAOUMA.
ORDER_READERS = {
    **dict.fromkeys(DEL_READERS, 200), "alpha1": 200, "alpha2": 200, "alpha3": 404,
    "beta1": 404, "gamma1": 404,
}  # fmt: skip
# An issued PDF names everyone on the order: not for a chargé d'insertion (docs/domaine.md §1).
ISSUED_PDF_READERS = {**ORDER_READERS, "alpha2": 404}
PRESTATAIRES = {"alpha1", "alpha2", "alpha3", "beta1", "gamma1"}
# ALPHA's register and modules are shared by its staff; DEL reads them, never writes.
ALPHA_STAFF = {**ORDER_READERS, "alpha1": 200, "alpha2": 200, "alpha3": 200}
# The états de rémunération: finance, the gestionnaire and the prestataires' direction.
REMUNERATION_READERS = {"finance1", "gestionnaire1", "alpha1", "beta1", "gamma1"}
ETAT_READERS = {"finance1": 200, "gestionnaire1": 200, "alpha1": 200, "beta1": 404, "gamma1": 404}
# The stipends' flow pages are read by the DEL staff who follow the états.
FLOW_READERS = {"remuneration": {"finance1", "gestionnaire1"}, "bilan": {"gestionnaire1"}}
# Bilans and the dashboard: the DEL's managers and the prestataires' direction (their own).
PILOTAGE = {"gestionnaire1", "alpha1", "beta1", "gamma1"}
# The demo's bilan is ALPHA's summer session's.
BILAN_READERS = {"gestionnaire1": 200, "alpha1": 200, "beta1": 404, "gamma1": 404}


def only(allowed, ok=200, other=403):
    return lambda username: ok if username in allowed else other


# Expected status for a GET by each user; anonymous visitors are always sent to the login page.
EVERYONE = only(set(USERS))
DEL_READ = only(DEL_READERS)
DEL_READ_REDIRECT = only(DEL_READERS, ok=302)  # viewflow's task index redirects to its detail
CONSEILLER_WRITE = only(CONSEILLERS)
NOBODY = only(set())  # undo, revive, cancel: need the flow's manage permission, held by no role

MATRIX = {
    "index": lambda username: 302,
    "accueil:index": EVERYONE,
    "accueil:taches": EVERYONE,
    "accueil:notification_lue": lambda username: 405,  # POST only
    "demandeurs:index": DEL_READ,
    "demandeurs:detail": DEL_READ,
    "demandeurs:add": CONSEILLER_WRITE,
    "demandeurs:change": CONSEILLER_WRITE,
    "prescriptions:index": DEL_READ,
    "prescriptions:detail": DEL_READ,
    "prescription:index": DEL_READ,
    "prescription:inbox": DEL_READ,
    "prescription:queue": DEL_READ,
    "prescription:archive": DEL_READ,
    "prescription:process_list": DEL_READ,
    "prescription:process_detail": DEL_READ,
    "prescription:process_chart": DEL_READ,
    "prescription:chart": DEL_READ,
    "prescription:task_list": DEL_READ,
    "prescription:process_cancel": NOBODY,
    "prescription:tasks_assign": DEL_READ_REDIRECT,
    "prescription:tasks_unassign": DEL_READ_REDIRECT,
    "prescription:prescrire:execute": CONSEILLER_WRITE,
    "prescription:prescrire:index": DEL_READ_REDIRECT,
    "prescription:prescrire:detail": DEL_READ,
    "prescription:prescrire:undo": NOBODY,
    # The conseiller's draft is conseiller1's task: only they may act on it.
    "prescription:completer:execute": only({"conseiller1"}),
    "prescription:completer:unassign": only({"conseiller1"}),
    "prescription:completer:assign": NOBODY,  # already assigned
    "prescription:completer:index": DEL_READ_REDIRECT,
    "prescription:completer:detail": DEL_READ,
    "prescription:completer:cancel": NOBODY,
    "prescription:completer:undo": NOBODY,
    "prescription:completer:revive": NOBODY,
    # The binôme's co-signature is ts1's task: only they may act on it.
    "prescription:cosigner:execute": only({"ts1"}),
    "prescription:cosigner:unassign": only({"ts1"}),
    "prescription:cosigner:assign": NOBODY,
    "prescription:cosigner:index": DEL_READ_REDIRECT,
    "prescription:cosigner:detail": DEL_READ,
    "prescription:cosigner:cancel": NOBODY,
    "prescription:cosigner:undo": NOBODY,
    "prescription:cosigner:revive": NOBODY,
    "prescription:cosigner__timeout:index": DEL_READ_REDIRECT,
    "prescription:cosigner__timeout:detail": DEL_READ,
    "prescription:cosigner__timeout:cancel": NOBODY,
    **{
        f"prescription:{node}:{action}": expected
        for node in ("aiguiller", "rappeler_cosignature", "rappel_envoye", "soumise", "retiree")
        for action, expected in (
            ("index", DEL_READ_REDIRECT),
            ("detail", DEL_READ),
            ("undo", NOBODY),
            ("revive", NOBODY),
        )
    },
    "prescription:aiguiller:cancel": NOBODY,
    "prescription:rappeler_cosignature:cancel": NOBODY,
    "seances:index": DEL_READ,
    "seances:detail": DEL_READ,
    "seances:ordre_du_jour": DEL_READ,
    "seances:proces_verbal": DEL_READ,
    "commandes:index": only(DEL_READERS | PRESTATAIRES),
    "commandes:detail": lambda username: ORDER_READERS.get(username, 403),
    "commandes:pdf": lambda username: ISSUED_PDF_READERS.get(username, 403),
    "commandes:avenant_pdf": lambda username: ISSUED_PDF_READERS.get(username, 403),
    "parcours:index": only(DEL_READERS | PRESTATAIRES),
    "parcours:detail": lambda username: ORDER_READERS.get(username, 403),
    "parcours:stage": lambda username: ORDER_READERS.get(username, 403),
    "parcours:convention": lambda username: ORDER_READERS.get(username, 403),
    # Only the prestataire's staff prepare a stage; KAOUMA has not entered yet: sent back.
    "parcours:stage_add": lambda username: {
        **dict.fromkeys(DEL_READERS, 403),
        "alpha1": 302,
        "alpha2": 302,
        "alpha3": 404,
        "beta1": 404,
        "gamma1": 404,
    }.get(username, 403),  # fmt: skip
    "modules:index": only(DEL_READERS | PRESTATAIRES),
    "modules:add": only(PRESTATAIRES),
    "modules:detail": lambda username: ALPHA_STAFF.get(username, 403),
    "entreprises:index": only(DEL_READERS | PRESTATAIRES),
    "entreprises:add": only(PRESTATAIRES),
    "entreprises:change": lambda username: {
        "alpha1": 200,
        "alpha2": 200,
        "alpha3": 200,
        "beta1": 404,
        "gamma1": 404,
    }.get(username, 403),  # fmt: skip
    # Stipends: finance reconciles, the gestionnaire reads, each prestataire's direction reads
    # and declares its own; a chargé d'insertion and the rest of the DEL have no access.
    "remunerations:index": only(REMUNERATION_READERS),
    "remunerations:synthese": only(REMUNERATION_READERS),
    "remunerations:ouvrir": only(REMUNERATION_READERS, ok=405),  # POST only
    # ALPHA's October état and its files: BETA and GAMMA must not learn it exists (404).
    "remunerations:detail": lambda username: ETAT_READERS.get(username, 403),
    "remunerations:export": lambda username: ETAT_READERS.get(username, 403),
    # A month or a year across the prestataires the user sees: its own only.
    "remunerations:export_mois": only(REMUNERATION_READERS),
    "remunerations:export_annee": only(REMUNERATION_READERS),
    "pilotage:index": only(PILOTAGE),
    "bilans:index": only(PILOTAGE),
    "bilans:detail": lambda username: BILAN_READERS.get(username, 403),
    "bilans:pdf": lambda username: BILAN_READERS.get(username, 403),
    # Exports: whoever holds reporting.exporter_donnees (each sees only its own data); the
    # journal of nominative exports: the gestionnaire and the administrateur.
    "exports:index": only({"gestionnaire1", "alpha1", "beta1", "gamma1"}),
    "journal_exports:index": only({"gestionnaire1", "admin"}),
    # Import of the parcours history: the gestionnaire and the administrateur; its
    # confirmation is POST only.
    "imports:index": only({"gestionnaire1", "admin"}),
    "imports:confirmer": only({"gestionnaire1", "admin"}, ok=405),
    # Indicators and bilans annuels: the DEL's managers and the prestataires' direction (their
    # own figures only); ALPHA's bilan annuel and its files: BETA and GAMMA get a 404.
    "indicateurs:index": only(PILOTAGE),
    "indicateurs:export": only(PILOTAGE),
    "bilans_annuels:index": only(PILOTAGE),
    "bilans_annuels:add": only(PILOTAGE),
    "bilans_annuels:detail": lambda username: BILAN_READERS.get(username, 403),
    "bilans_annuels:export": lambda username: BILAN_READERS.get(username, 403),
    # Background jobs (issue 17): everyone lists his own; a job and its file are their
    # user's only (gestionnaire1's export here): anyone else gets a 404.
    "travaux:index": EVERYONE,
    "travaux:detail": only({"gestionnaire1"}, other=404),
    "travaux:fichier": only({"gestionnaire1"}, other=404),
}

# The commission and avenant flows' pages, read by the DEL only (a prestataire acts on its
# orders' pages). Their steps are done on the records' pages: a task page leads there.
FLOW_NODES = {
    "commission": {
        "ouvrir": "start", "preparer": "human", "deliberer": "human", "a_commander": "gate",
        "commander": "human", "emis_ou_annule": "gate", "accuser_reception": "human",
        "accuser_reception__timeout": "timer", "relancer_accuse": "gate",
        "alerte_envoyee": "end", "lance": "end", "annule": "end", "sans_commande": "end",
    },
    "avenant": {
        "creer": "handle", "emettre": "human", "accuser_reception": "human",
        "accuser_reception__timeout": "timer", "relancer_accuse": "gate",
        "alerte_envoyee": "end", "accuse": "end",
    },
    "suiviparcours": {
        "demarrer": "handle", "entrer": "human", "entrer__timeout": "timer",
        "alerter_conseiller": "gate", "alerte_entree": "end", "conduire": "human",
        "suspendu_ou_sorti": "gate", "reprendre": "human", "reprendre__timeout": "timer",
        "alerter_suspension": "gate", "alerte_suspension": "end", "repris_ou_sorti": "gate",
        "apres_sortie": "gate", "maintenir": "human", "maintenir__timeout": "timer",
        "clore_maintien": "gate", "maintien_echu": "end", "maintien_clos": "end",
        "termine": "end",
    },
    "remuneration": {
        "ouvrir": "handle", "declarer": "human", "declarer__timeout": "timer",
        "signaler_retard": "gate", "retard_signale": "end", "rapprocher": "human",
        "accepte_ou_renvoye": "gate", "rapproche": "end",
    },
    "bilan": {
        "ouvrir": "handle", "rediger": "human", "rediger__timeout": "timer",
        "rediger__timeout_2": "timer", "rappeler": "gate", "rappel_envoye": "end",
        "signaler_retard": "gate", "retard_signale": "end", "examiner": "human",
        "accepte_ou_renvoye": "gate", "accepte": "end",
    },
}  # fmt: skip
NODE_ACTIONS = {
    "start": {"index": DEL_READ_REDIRECT, "detail": DEL_READ, "undo": NOBODY},
    "handle": {"index": DEL_READ_REDIRECT, "detail": DEL_READ, "undo": NOBODY},
    "timer": {"index": DEL_READ_REDIRECT, "detail": DEL_READ, "cancel": NOBODY},
    "end": {"index": DEL_READ_REDIRECT, "detail": DEL_READ, "undo": NOBODY, "revive": NOBODY},
    "gate": {
        "index": DEL_READ_REDIRECT, "detail": DEL_READ, "undo": NOBODY, "revive": NOBODY,
        "cancel": NOBODY,
    },
    "human": {
        "index": DEL_READ_REDIRECT, "detail": DEL_READ, "undo": NOBODY, "revive": NOBODY,
        "cancel": NOBODY, "execute": NOBODY, "assign": NOBODY, "unassign": NOBODY,
    },
}  # fmt: skip
for flow, nodes in FLOW_NODES.items():
    # A flow read by other readers than the DEL's: the same pages, for them.
    lecteurs = FLOW_READERS.get(flow, DEL_READERS)
    pour_ce_processus = {DEL_READ: only(lecteurs), DEL_READ_REDIRECT: only(lecteurs, ok=302)}
    for page in ("index", "inbox", "queue", "archive", "process_list", "process_detail",
                 "process_chart", "chart", "task_list"):  # fmt: skip
        MATRIX[f"{flow}:{page}"] = pour_ce_processus[DEL_READ]
    MATRIX[f"{flow}:tasks_assign"] = MATRIX[f"{flow}:tasks_unassign"] = pour_ce_processus[
        DEL_READ_REDIRECT
    ]
    MATRIX[f"{flow}:process_cancel"] = NOBODY
    for node, kind in nodes.items():
        for action, expected in NODE_ACTIONS[kind].items():
            MATRIX[f"{flow}:{node}:{action}"] = pour_ce_processus.get(expected, expected)
MATRIX["commission:ouvrir:execute"] = only({"gestionnaire1"})
# BETA's agenda is gestionnaire1's task: its page leads to the session's page.
MATRIX["commission:preparer:execute"] = only({"gestionnaire1"}, ok=302)
MATRIX["commission:preparer:unassign"] = only({"gestionnaire1"})
# BETA's closed session has its order to issue: gestionnaire1's task, done on the order's page.
MATRIX["commission:commander:execute"] = only({"gestionnaire1"}, ok=302)

# viewflow shows its (harmless) unassign form to a finished task's owner.
MATRIX["avenant:emettre:unassign"] = only({"gestionnaire1"})
MATRIX["commission:commander:unassign"] = only({"gestionnaire1"})
MATRIX["commission:deliberer:unassign"] = only({"commission1"})
MATRIX["remuneration:rapprocher:unassign"] = only({"finance1"})


def bilan_annuel_alpha():
    """The demo has no bilan annuel: ALPHA's 2026 one on lot 1 is opened here, for its pages."""
    return BilanAnnuel.objects.get_or_create(
        prestataire=Prestataire.objects.get(code="ALPHA"),
        lot=Lot.objects.get(numero=1),
        du=date(2026, 1, 1),
        au=date(2026, 12, 31),
    )[0]


def travail_du_gestionnaire():
    """A finished export of gestionnaire1, for the pages of a background job."""
    return Travail.objects.get_or_create(
        libelle="Export : parcours",
        defaults={
            "par": User.objects.get(username="gestionnaire1"),
            "fonction": "reporting.views.exports.exporter_en_arriere_plan",
            "permission": "reporting.exporter_donnees",
            "etat": Etat.TERMINE,
            "resultat_nom": "parcours-2026-11-24.csv",
            "resultat": b"nom;prenom\r\n",
        },
    )[0]


def url_for(name, objects):
    parts = name.split(":")
    if name in ("travaux:detail", "travaux:fichier"):
        return reverse(name, args=[travail_du_gestionnaire().pk])
    if name == "prescription:prescrire:execute":
        return f"{reverse(name)}?demandeur={objects['demandeur'].pk}"
    if name == "commission:ouvrir:execute":
        return reverse(name)
    if parts[0] in FLOW_NODES and len(parts) == 3:
        task = flow_task(objects, parts[0], parts[1])
        return reverse(name, args=[task.process_id, task.pk])
    if parts[0] in FLOW_NODES and name.endswith(("process_detail", "process_cancel",
                                                 "process_chart")):  # fmt: skip
        key = {"commission": "session", "avenant": "avenant", "suiviparcours": "parcours",
               "remuneration": "etat", "bilan": "bilan"}[parts[0]]  # fmt: skip
        return reverse(name, args=[objects[key].process_id])
    if parts[0] in ("seances", "commandes", "parcours", "modules", "entreprises") and (
        parts[1] not in ("index", "add")
    ):
        key = {
            "seances": "session", "commandes": "bon", "parcours": "parcours",
            "modules": "module", "entreprises": "entreprise",
        }[parts[0]]  # fmt: skip
        key = {"commandes:avenant_pdf": "avenant", "parcours:stage": "stage",
               "parcours:convention": "stage"}.get(name, key)  # fmt: skip
        return reverse(name, args=[objects[key].pk])
    if name in ("remunerations:detail", "remunerations:export"):
        formats = {"remunerations:export": {"format_": "pdf"}}.get(name, {})
        return reverse(name, kwargs={"pk": objects["etat"].pk, **formats})
    if name in ("bilans_annuels:detail", "bilans_annuels:export"):
        formats = {"bilans_annuels:export": {"format_": "xlsx"}}.get(name, {})
        return reverse(name, kwargs={"pk": bilan_annuel_alpha().pk, **formats})
    if name == "indicateurs:export":
        return reverse(name, kwargs={"format_": "xlsx"})
    if name in ("bilans:detail", "bilans:pdf"):
        return reverse(name, args=[objects["bilan"].pk])
    if name == "remunerations:export_mois":
        return reverse(name, kwargs={"mois": "2026-10", "format_": "xlsx"})
    if name == "remunerations:export_annee":
        return reverse(name, kwargs={"annee": 2026, "format_": "pdf"})
    if parts[0] == "prescription" and len(parts) == 3:
        task = objects["tasks"].get(parts[1], objects["tasks"]["aiguiller"])
        return reverse(name, args=[task.process_id, task.pk])
    if name in ("demandeurs:detail", "demandeurs:change"):
        return reverse(name, args=[objects["demandeur"].pk])
    if name == "prescriptions:detail":
        return reverse(name, args=[objects["prescription"].pk])
    if name in ("prescription:process_detail", "prescription:process_cancel",
                "prescription:process_chart"):  # fmt: skip
        return reverse(name, args=[objects["prescription"].process_id])
    if name == "accueil:notification_lue":
        return reverse(name, args=[1])
    return reverse(name)


def test_every_url_is_in_the_matrix():
    missing = all_url_names() - MATRIX.keys()
    assert not missing, f"Add these URLs to the access matrix: {sorted(missing)}"
    assert not MATRIX.keys() - all_url_names(), "The matrix lists URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access_by_role(demo, name):
    autre_charge(demo)
    url = url_for(name, demo_objects())
    response = Client().get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/"), (
        f"anonymous visitor on {url}"
    )
    got = {}
    for username in USERS:
        client = Client()
        client.force_login(demo[username])
        got[username] = client.get(url).status_code
    expected = {username: MATRIX[name](username) for username in USERS}
    assert got == expected, url
