"""The bilan de fin de parcours of a session through its pages (docs/domaine.md step 9): the
prestataire's direction writes it, pre-filled with the nominative list, once the session is
over; the DEL sends it back for completion or accepts it; only ALPHA's direction writes ALPHA's
bilans, and no other prestataire ever sees them."""

import html
from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from prestataires import services as parcours_services
from prestataires.enums import MomentEvaluation, TypeFin
from procurement.models import TypeSortie
from reporting import bilans
from reporting import services as reporting_services
from reporting.enums import AtteinteObjectifs, EtatBilan
from reporting.models import AppreciationBilan
from reporting.views.bilans import BilanDetailView
from tests.bons_de_commande.conftest import texte_pdf
from tests.offertes import verifier_les_offres
from tests.prestataires.conftest import a, poster, refuse
from tests.prestataires.test_listes import afficher, ecarts, mesurer
from workflows.flows import BilanFlow
from workflows.models import Transition

from .conftest import (
    SESSION_ETE,
    bilan_de,
    creer_bilans,
    parcours_de,
    sortie_anticipee,
    stage_termine,
)

ACTIVES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED, STATUS.SCHEDULED]


def champ(nom: str, quoi: str) -> str:
    """The name of one person's field in the bilan's form."""
    return f"p{parcours_de(nom).pk}_{quoi}"


def formulaire(client, bilan) -> dict:
    """The bilan's form as the page shows it, ready to be posted back."""
    reponse = client.get(bilan.get_absolute_url())
    assert reponse.status_code == 200
    form = reponse.context["form_bilan"]
    assert form is not None, "the page shows no form to write the bilan"
    return {nom: "" if form[nom].value() is None else form[nom].value() for nom in form.fields}


def texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


def ce_que_voit(reponse) -> str:
    """The page shown again (400), or the messages shown after a redirect."""
    if reponse.status_code == 302:
        return " ".join(m.message for m in get_messages(reponse.wsgi_request))
    return texte(reponse)


def appreciation(nom: str) -> AppreciationBilan:
    return AppreciationBilan.objects.get(parcours__demandeur__nom=nom)


def evaluer(parcours, par, jour: str, moment, notes):
    with a(jour), transaction.atomic():
        parcours_services.evaluer(
            parcours, par=par, moment=moment, date=date.fromisoformat(jour),
            **dict(zip(("projet", "freins", "engagement", "savoir_etre"), notes, strict=True)),
        )  # fmt: skip


@pytest.fixture
def session_ete_terminee(demo_bilans):
    """ALPHA's summer session over by 10/03/2027: WAIA left early on 20/01 for a qualifying
    training, OUNEMOA went to term on 28/02 (a stage in January) into a CDI, evaluated at entry
    and exit, GOPOEA broke off on 10/03. Its bilan is due on 10/04/2027."""
    alpha1 = demo_bilans["alpha1"]
    ounemoa = parcours_de("OUNEMOA")
    evaluer(ounemoa, alpha1, "2026-11-24", MomentEvaluation.ENTREE, (2, 1, 3, 2))
    stage_termine(ounemoa, alpha1, date(2027, 1, 4), date(2027, 1, 15))
    sortie_anticipee(parcours_de("WAIA"), alpha1, date(2027, 1, 20))
    with a("2027-02-28", heure=16):
        parcours_services.sortir(ounemoa, par=alpha1, date_sortie=date(2027, 2, 28),
                                 type_fin=TypeFin.TERME,
                                 type_sortie=TypeSortie.objects.get(code="cdi"),
                                 satisfaction=5)  # fmt: skip
    evaluer(ounemoa, alpha1, "2027-02-28", MomentEvaluation.SORTIE, (4, 3, 4, 4))
    sortie_anticipee(parcours_de("GOPOEA"), alpha1, date(2027, 3, 10), type_sortie="abandon",
                     type_fin=TypeFin.RUPTURE_STAGIAIRE)  # fmt: skip
    bilan = bilan_de(SESSION_ETE)
    assert (bilan.fin_session, bilan.echeance) == (date(2027, 3, 10), date(2027, 4, 10))
    return bilan


# --- The story ------------------------------------------------------------------------------


@pytest.mark.pdf
def test_bilan_redige_transmis_renvoye_complete_et_accepte(
    client, demo_bilans, session_ete_terminee
):
    """docs/domaine.md step 9: the nominative list with each one's attainment of objectives and, for
    a rupture or an early exit, the difficulties and préconisations; nothing is sent while
    someone's attainment is missing; the DEL may send it back for completion (with a reason),
    then accepts it; every step is journaled and the process ends with no timer left."""
    bilan = session_ete_terminee
    alpha1, gestionnaire1 = demo_bilans["alpha1"], demo_bilans["gestionnaire1"]
    url = bilan.get_absolute_url()

    # ALPHA's direction opens the bilan: everything the application knows is already there.
    client.force_login(alpha1)
    with a("2027-03-15"):
        page = client.get(url)
        donnees = formulaire(client, bilan)
    assert page.status_code == 200
    contenu = texte(page)
    for attendu in (
        "WAIA Mathieu", "OUNEMOA Cindy", "GOPOEA Yannick",
        "31/08/2026", "01/09/2026", "15/09/2026",  # entries
        "20/01/2027", "28/02/2027", "10/03/2027",  # exits
        "Sortie anticipée", "Parcours mené à son terme", "Rupture à l'initiative du stagiaire",
        "Formation qualifiante", "CDI", "Abandon",
        "Sortie dynamique", "Emploi durable", "Pas de sortie positive",
        "2, 1, 3, 2 → 4, 3, 4, 4",  # OUNEMOA's evaluations at entry and exit
        "Boulangerie du Quartier Latin, 04/01/2027 – 15/01/2027",  # OUNEMOA's stage
        "10/04/2027",  # due date
    ):  # fmt: skip
        assert attendu in contenu, attendu
    personnes = {p.parcours.demandeur.nom: p for p in page.context["personnes"]}
    assert list(personnes) == ["GOPOEA", "OUNEMOA", "WAIA"]
    assert [personnes[nom].rupture for nom in personnes] == [True, False, True]
    # The early exits' difficulties and préconisations come from the exit, to complete.
    assert donnees[champ("GOPOEA", "difficultes")] == "Difficultés de GOPOEA : mobilité"
    assert donnees[champ("WAIA", "preconisations")] == "Préconisations pour WAIA : permis B"
    assert champ("OUNEMOA", "difficultes") not in donnees  # went to term

    # A draft is saved incomplete.
    with a("2027-03-15"):
        poster(client, url, action="enregistrer", **donnees | {
            "synthese": "Session dynamique, une rupture.",
            champ("WAIA", "atteinte_objectifs"): AtteinteObjectifs.PARTIELLEMENT,
            champ("WAIA", "commentaire"): "Entre en formation de vendeur.",
            champ("OUNEMOA", "atteinte_objectifs"): AtteinteObjectifs.ATTEINTS,
        })  # fmt: skip
    bilan.refresh_from_db()
    assert (bilan.synthese, bilan.etat, bilan.version) == (
        "Session dynamique, une rupture.", EtatBilan.A_REDIGER, 1)  # fmt: skip
    assert appreciation("WAIA").atteinte_objectifs == AtteinteObjectifs.PARTIELLEMENT
    assert appreciation("WAIA").commentaire == "Entre en formation de vendeur."

    # Sending it with GOPOEA's attainment missing: saved, not sent, GOPOEA named.
    with a("2027-03-15"):
        donnees = formulaire(client, bilan)
        reponse = client.post(url, donnees | {"action": "transmettre"})
    assert reponse.status_code == 400
    erreurs = reponse.context["form_bilan"].non_field_errors()
    assert erreurs == [
        "Avant de transmettre, complétez : Yannick GOPOEA : l'atteinte des objectifs, les "
        "difficultés et les préconisations."
    ]
    assert erreurs[0] in texte(reponse)
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.transmis_le) == (EtatBilan.A_REDIGER, None)
    assert Task.objects.get(process=bilan.process, flow_task=BilanFlow.rediger,
                            status__in=ACTIVES)  # fmt: skip

    # Completed and sent (from the page, at the version the draft was saved to).
    with a("2027-03-15"):
        donnees = formulaire(client, bilan)
        poster(client, url, action="transmettre", **donnees | {
            champ("GOPOEA", "atteinte_objectifs"): AtteinteObjectifs.NON_ATTEINTS,
        })  # fmt: skip
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.transmis_le, bilan.transmis_par) == (
        EtatBilan.TRANSMIS, date(2027, 3, 15), alpha1)  # fmt: skip
    assert appreciation("GOPOEA").atteinte_objectifs == AtteinteObjectifs.NON_ATTEINTS
    with a("2027-03-15"):
        assert client.get(url).context["form_bilan"] is None  # sent: read only

    # The DEL sends it back: a reason is required, on its field.
    client.force_login(gestionnaire1)
    with a("2027-03-16"):
        page = client.get(url)
        assert page.context["form_renvoi"] is not None and page.context["form_bilan"] is None
        reponse = client.post(url, {"action": "renvoyer", "renvoi-motif": "  "})
    assert reponse.status_code == 400
    assert reponse.context["form_renvoi"].errors["motif"] == [
        "Dites au prestataire ce qu'il doit compléter."
    ]
    bilan.refresh_from_db()
    assert bilan.etat == EtatBilan.TRANSMIS
    motif = "Précisez les préconisations pour GOPOEA."
    with a("2027-03-16"):
        poster(client, url, action="renvoyer", **{"renvoi-motif": motif})
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.commentaire_del, bilan.transmis_le) == (
        EtatBilan.A_COMPLETER, motif, None)  # fmt: skip

    # ALPHA reads why, completes and sends again.
    client.force_login(alpha1)
    with a("2027-03-18"):
        assert motif in texte(client.get(url))
        donnees = formulaire(client, bilan)
        assert donnees[champ("GOPOEA", "atteinte_objectifs")] == AtteinteObjectifs.NON_ATTEINTS
        poster(client, url, action="transmettre", **donnees | {
            champ("GOPOEA", "preconisations"): "Reprendre un parcours après des soins.",
        })  # fmt: skip
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.transmis_le) == (EtatBilan.TRANSMIS, date(2027, 3, 18))

    # The DEL accepts it.
    client.force_login(gestionnaire1)
    with a("2027-03-19"):
        poster(client, url, action="accepter")
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.accepte_par) == (EtatBilan.ACCEPTE, gestionnaire1)

    # The process is over: no task waits, its timers (two per writing round) are canceled.
    bilan.process.refresh_from_db()
    assert bilan.process.status == "DONE"
    assert not Task.objects.filter(process=bilan.process, status__in=ACTIVES).exists()
    assert (
        list(
            Task.objects.filter(process=bilan.process, flow_task_type="TIMER").values_list(
                "status", flat=True
            )
        )
        == [STATUS.CANCELED] * 4
    )

    # The PDF: the nominative list with each one's attainment and the rupture's préconisations.
    with a("2027-03-19"):
        pdf = client.get(reverse("bilans:pdf", args=[bilan.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    contenu_pdf = " ".join(texte_pdf(pdf.getvalue()).split())  # table cells wrap
    for attendu in ("WAIA Mathieu", "OUNEMOA Cindy", "GOPOEA Yannick", "Objectifs atteints",
                    "Objectifs partiellement atteints", "Objectifs non atteints",
                    "Reprendre un parcours après des soins.", SESSION_ETE):  # fmt: skip
        assert attendu in contenu_pdf, attendu

    # Every step is journaled: who, what, why.
    journal = Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(bilan), object_id=bilan.pk
    ).order_by("le", "pk")
    assert [(t.nom, t.source, t.cible, t.par.username, t.motif) for t in journal] == [
        ("transmettre", "a_rediger", "transmis", "alpha1", ""),
        ("renvoyer", "transmis", "a_completer", "gestionnaire1", motif),
        ("transmettre", "a_completer", "transmis", "alpha1", ""),
        ("accepter", "transmis", "accepte", "gestionnaire1", ""),
    ]

    # Accepted: nobody writes in it any more.
    client.force_login(alpha1)
    version = bilan.version
    with a("2027-03-20"):
        assert client.get(url).context["form_bilan"] is None
        assert client.post(url, donnees | {"action": "enregistrer"}).status_code in (302, 400)
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.version) == (EtatBilan.ACCEPTE, version)
    assert appreciation("GOPOEA").preconisations == "Reprendre un parcours après des soins."


def test_pas_de_transmission_avant_la_fin_de_la_session(client, demo_bilans):
    """docs/domaine.md step 9: the bilan covers the whole session; while one of its parcours still
    runs, the prestataire cannot send it, and the page says who is still running."""
    alpha1 = demo_bilans["alpha1"]
    bilan = bilan_de(SESSION_ETE)
    sortie_anticipee(parcours_de("WAIA"), alpha1, date(2027, 1, 20))
    sortie_anticipee(parcours_de("OUNEMOA"), alpha1, date(2027, 1, 25))

    client.force_login(alpha1)
    with a("2027-02-01"):
        donnees = formulaire(client, bilan)
        reponse = client.post(url := bilan.get_absolute_url(), donnees | {
            "action": "transmettre",
            **{champ(nom, "atteinte_objectifs"): AtteinteObjectifs.ATTEINTS
               for nom in ("WAIA", "OUNEMOA", "GOPOEA")},
        })  # fmt: skip
    assert reponse.status_code == 400
    assert reponse.context["form_bilan"].non_field_errors() == [
        "Avant de transmettre, complétez : Yannick GOPOEA : la sortie du parcours (la session "
        "n'est pas terminée)."
    ]
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.transmis_le) == (EtatBilan.A_REDIGER, None)
    # What was typed is not lost: it is still on the page, to save as a draft.
    assert reponse.context["form_bilan"][champ("WAIA", "atteinte_objectifs")].value() == (
        AtteinteObjectifs.ATTEINTS
    )
    with a("2027-02-01"):
        assert "la session n'est pas terminée" in texte(client.get(url))
        with pytest.raises(ValidationError, match="Yannick GOPOEA"):
            reporting_services.transmettre(bilan, par=alpha1)
    assert bilan_de(SESSION_ETE).etat == EtatBilan.A_REDIGER


def test_enregistrer_et_transmettre_un_bilan_incomplet_enregistre_ce_qui_est_saisi(
    client, demo_bilans
):
    """Issue 16: "Enregistrer et transmettre" on an incomplete bilan saves the draft, then
    says what is missing: what was typed is in the database (not only on the page), and the
    page shown again carries the new version, so that saving it once more is accepted."""
    alpha1 = demo_bilans["alpha1"]
    bilan = bilan_de(SESSION_ETE)
    sortie_anticipee(parcours_de("WAIA"), alpha1, date(2027, 1, 20))
    sortie_anticipee(parcours_de("OUNEMOA"), alpha1, date(2027, 1, 25))
    client.force_login(alpha1)
    url = bilan.get_absolute_url()
    with a("2027-02-01"):
        donnees = formulaire(client, bilan) | {
            "synthese": "Deux sorties anticipées.",
            champ("WAIA", "atteinte_objectifs"): AtteinteObjectifs.PARTIELLEMENT,
            champ("WAIA", "commentaire"): "Entre en formation de vendeur.",
        }
        reponse = client.post(url, donnees | {"action": "transmettre"})
    assert reponse.status_code == 400
    assert reponse.context["form_bilan"].non_field_errors() == [
        "Avant de transmettre, complétez : Yannick GOPOEA : la sortie du parcours (la session "
        "n'est pas terminée) ; Cindy OUNEMOA : l'atteinte des objectifs, les difficultés et "
        "les préconisations."
    ]
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.synthese, bilan.version) == (
        EtatBilan.A_REDIGER, "Deux sorties anticipées.", 1)  # fmt: skip
    assert appreciation("WAIA").atteinte_objectifs == AtteinteObjectifs.PARTIELLEMENT
    assert appreciation("WAIA").commentaire == "Entre en formation de vendeur."
    # The page shown again is the saved draft: saving it from there is not "modified meanwhile".
    form = reponse.context["form_bilan"]
    assert form["version"].value() == 1
    with a("2027-02-01"):
        poster(client, url, action="enregistrer", **{
            nom: "" if form[nom].value() is None else form[nom].value() for nom in form.fields
        })  # fmt: skip
    assert bilan_de(SESSION_ETE).version == 2


def test_saisie_concurrente_sur_une_version_perimee_refusee(client, demo_bilans):
    """docs/domaine.md step 9: the prestataire writes the bilan; a form typed on an older version of
    it (someone saved in between) is refused with a French message, and overwrites nothing."""
    bilan = bilan_de(SESSION_ETE)
    onglet1, onglet2 = client, type(client)()
    for onglet in (onglet1, onglet2):
        onglet.force_login(demo_bilans["alpha1"])
    with a("2027-02-01"):
        premier, second = formulaire(onglet1, bilan), formulaire(onglet2, bilan)
        poster(onglet2, bilan.get_absolute_url(), action="enregistrer",
               **second | {"synthese": "Version du second onglet"})  # fmt: skip
        reponse = onglet1.post(bilan.get_absolute_url(), premier | {
            "action": "enregistrer", "synthese": "Version du premier onglet",
            champ("WAIA", "atteinte_objectifs"): AtteinteObjectifs.ATTEINTS,
        })  # fmt: skip
    assert reponse.status_code == 400
    message = (
        "Le bilan a été modifié entre-temps par quelqu'un d'autre : rechargez la page, vos "
        "saisies n'ont pas été enregistrées."
    )
    assert reponse.context["form_bilan"].non_field_errors() == [message]
    assert message in texte(reponse)
    bilan.refresh_from_db()
    assert (bilan.synthese, bilan.version) == ("Version du second onglet", 1)
    assert appreciation("WAIA").atteinte_objectifs == ""


# --- Who may act ----------------------------------------------------------------------------


def test_seule_la_direction_du_prestataire_redige_et_seule_la_del_examine(client, demo_bilans):
    """docs/domaine.md step 9 and "Actors" (a prestataire's users see only their own organisation's
    bilans): ALPHA's bilans are written and sent by ALPHA's direction only: its chargé d'insertion
    and a conseiller get 403, BETA's direction does not even learn they exist (404, on the
    page, the PDF and a POST); the DEL does not write them, and ALPHA does not accept its own."""
    bilan = bilan_de(SESSION_ETE)
    url, pdf = bilan.get_absolute_url(), reverse("bilans:pdf", args=[bilan.pk])
    saisie = {"action": "enregistrer", "version": bilan.version, "synthese": "Intrusion"}
    attendus = {"alpha2": 403, "conseiller1": 403, "beta1": 404, "gamma1": 404}
    with a("2027-02-01"):
        for username, statut in attendus.items():
            client.force_login(demo_bilans[username])
            assert client.get(url).status_code == statut, username
            assert client.get(pdf).status_code == statut, username
            for action in ("enregistrer", "transmettre", "accepter"):
                reponse = client.post(url, saisie | {"action": action})
                assert reponse.status_code == statut, (username, action)
            assert client.post(url, {"action": "renvoyer", "renvoi-motif": "x"}).status_code == (
                statut
            )

        # The DEL reads, never writes.
        client.force_login(demo_bilans["gestionnaire1"])
        assert client.get(url).context["form_bilan"] is None
        message = refuse(client, url, **saisie)
        assert message == "Seule la direction du prestataire rédige ce bilan."

    bilan.refresh_from_db()
    assert (bilan.synthese, bilan.version, bilan.etat) == ("", 0, EtatBilan.A_REDIGER)

    # Through the services too: BETA's direction holds the permission, not ALPHA's bilan.
    with a("2027-02-01"), pytest.raises(PermissionDenied):
        reporting_services.transmettre(bilan, par=demo_bilans["beta1"])
    with pytest.raises(PermissionDenied), transaction.atomic():
        bilans.enregistrer(bilan, par=demo_bilans["alpha2"], version=0, synthese="x",
                           appreciations={})  # fmt: skip
    bilan.refresh_from_db()
    assert (bilan.synthese, bilan.etat) == ("", EtatBilan.A_REDIGER)
    rediger = Task.objects.get(process=bilan.process, flow_task=BilanFlow.rediger)
    assert (rediger.status, rediger.owner) == (STATUS.NEW, None)


def test_le_prestataire_n_accepte_ni_ne_renvoie_son_propre_bilan(
    client, demo_bilans, session_ete_terminee
):
    """Only the DEL's gestionnaire examines a bilan sent to it (docs/domaine.md step 9: "the DEL may
    send it back for completion")."""
    bilan = session_ete_terminee
    client.force_login(demo_bilans["alpha1"])
    with a("2027-03-15"):
        donnees = formulaire(client, bilan)
        poster(client, bilan.get_absolute_url(), action="transmettre", **donnees | {
            champ(nom, "atteinte_objectifs"): AtteinteObjectifs.ATTEINTS
            for nom in ("WAIA", "OUNEMOA", "GOPOEA")
        })  # fmt: skip
        assert refuse(client, bilan.get_absolute_url(), action="accepter")
        assert refuse(client, bilan.get_absolute_url(), action="renvoyer",
                      **{"renvoi-motif": "Je me renvoie"})  # fmt: skip
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.accepte_le, bilan.commentaire_del) == (EtatBilan.TRANSMIS, None, "")


# --- The list -------------------------------------------------------------------------------

LECTEURS = ("gestionnaire1", "alpha1", "beta1")


def sessions_de(reponse) -> list[str]:
    return [bilan.session for bilan in reponse.context["object_list"]]


def test_liste_des_bilans_requetes_constantes_filtre_en_retard_et_isolement(client, demo_bilans):
    """The list of bilans renders with the same number of SQL queries for 5 or 20 bilans per
    prestataire; "en retard seulement" keeps the bilans overdue today (docs/domaine.md step 9: from
    the day after their due date) with their days of delay; BETA's direction sees none of
    ALPHA's bilans."""
    jour = date(2026, 12, 1)
    # Ended from 25/10/2026 on, one a day: due from 25/11/2026, so 5 overdue on 01/12.
    fins = [date(2026, 10, 25) + timedelta(days=i) for i in range(20)]
    creer_bilans("ALPHA", fins[:5])
    creer_bilans("BETA", fins[:5])
    pages = [reverse("bilans:index"), reverse("bilans:index") + "?en_retard=on"]
    with a(jour.isoformat()):
        avant = mesurer(client, demo_bilans, pages, lecteurs=LECTEURS)
    creer_bilans("ALPHA", fins[5:])
    creer_bilans("BETA", fins[5:])
    with a(jour.isoformat()):
        apres = mesurer(client, demo_bilans, pages, lecteurs=LECTEURS)
    afficher(avant, apres)
    assert ecarts(avant, apres) == {}, "N+1 sur la liste des bilans"

    tous, en_retard = pages
    # ALPHA: the two demo sessions and 20 more; the DEL sees ALPHA's and BETA's (30 a page).
    assert apres["alpha1", tous].reponse.context["paginator"].count == 22
    assert apres["gestionnaire1", tous].reponse.context["paginator"].count == 42
    assert apres["beta1", tous].reponse.context["paginator"].count == 20
    assert all(s.startswith("BETA-") for s in sessions_de(apres["beta1", tous].reponse))
    assert SESSION_ETE not in texte(apres["beta1", tous].reponse)

    # Overdue on 01/12/2026: ended 25/10 to 31/10, due 25/11 to 30/11 (31/10 + 1 month is
    # 30/11): 6 to 1 days late; the one ended on 01/11 is due on 01/12, not late yet.
    retards = apres["alpha1", en_retard].reponse.context["object_list"]
    assert [(b.fin_session.day, b.echeance.day, b.retard) for b in retards] == [
        (25, 25, 6), (26, 26, 5), (27, 27, 4), (28, 28, 3), (29, 29, 2), (30, 30, 1), (31, 30, 1),
    ]  # fmt: skip
    assert all(b.prestataire.code == "ALPHA" for b in retards)
    assert len(apres["gestionnaire1", en_retard].reponse.context["object_list"]) == 14
    assert {b.prestataire.code for b in apres["beta1", en_retard].reponse.context["object_list"]
            } == {"BETA"}  # fmt: skip
    # The list says how late each one is.
    assert '<span class="del-retard">6</span>' in apres["alpha1", tous].reponse.content.decode()


def test_liste_des_bilans_fermee_a_qui_n_a_pas_le_role(client, demo_bilans):
    """docs/domaine.md step 9: the bilans are the prestataire's direction's and the DEL managers'
    business; the chargé d'insertion and the conseillers do not read them."""
    for username in ("alpha2", "conseiller1"):
        client.force_login(demo_bilans[username])
        assert client.get(reverse("bilans:index")).status_code == 403, username


def test_enregistrer_un_bilan_transmis_entre_temps_dit_pourquoi(
    client, demo_bilans, session_ete_terminee
):
    """A direction's second tab, opened before the bilan was sent from the first one, cannot
    change it any more, and is told so in French on the page it posted."""
    bilan = session_ete_terminee
    onglet1, onglet2 = client, type(client)()
    for onglet in (onglet1, onglet2):
        onglet.force_login(demo_bilans["alpha1"])
    with a("2027-03-15"):
        premier, second = formulaire(onglet1, bilan), formulaire(onglet2, bilan)
        poster(onglet1, bilan.get_absolute_url(), action="transmettre", **premier | {
            champ(nom, "atteinte_objectifs"): AtteinteObjectifs.ATTEINTS
            for nom in ("WAIA", "OUNEMOA", "GOPOEA")
        })  # fmt: skip
        reponse = onglet2.post(bilan.get_absolute_url(), second | {
            "action": "enregistrer", "synthese": "Trop tard",
        })  # fmt: skip
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.synthese) == (EtatBilan.TRANSMIS, "")
    assert "Ce bilan est transmis : il ne peut plus être modifié." in ce_que_voit(reponse)


# --- What the page offers -----------------------------------------------------------------------


def offre(demo, bilan, **attendu):
    utilisateurs = ("alpha1", "gestionnaire1", "beta1")
    verifier_les_offres(demo, bilan, BilanDetailView, utilisateurs, **attendu)


def test_la_page_offre_a_chacun_les_transitions_que_l_etat_du_bilan_lui_permet(
    client, demo_bilans, session_ete_terminee
):
    """ALPHA's direction writes and sends; the DEL sends back or accepts; a bilan the import
    restated (no process) offers nobody anything."""
    bilan, alpha1 = session_ete_terminee, demo_bilans["alpha1"]
    redaction = {"enregistrer", "transmettre"}
    with a("2027-03-15"):
        offre(demo_bilans, bilan, alpha1=redaction, beta1=None)
        client.force_login(alpha1)
        donnees = formulaire(client, bilan) | {
            champ(nom, "atteinte_objectifs"): AtteinteObjectifs.ATTEINTS
            for nom in ("WAIA", "OUNEMOA", "GOPOEA")
        }
        poster(client, bilan.get_absolute_url(), action="transmettre", **donnees)
        offre(demo_bilans, bilan, gestionnaire1={"renvoyer", "accepter"}, beta1=None)
        reporting_services.renvoyer(bilan, par=demo_bilans["gestionnaire1"], motif="Précisez.")
        offre(demo_bilans, bilan, alpha1=redaction, beta1=None)
        reporting_services.transmettre(bilan, par=alpha1)
        reporting_services.accepter(bilan, par=demo_bilans["gestionnaire1"])
        offre(demo_bilans, bilan, beta1=None)

    [historique] = creer_bilans("ALPHA", [date(2026, 6, 30)])
    assert not historique.suivi and historique.modifiable
    offre(demo_bilans, historique, beta1=None)
