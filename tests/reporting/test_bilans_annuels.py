"""The bilan annuel (docs/domaine.md step 10; CCTP "bilan annuel" per action): the prestataire's
direction opens it for a lot it holds and a year or any period, or the DEL asks for one (the
direction is told); its page shows the indicators computed live and the nominative recap; the
direction writes its analysis, then sends it once, in one step that is journaled; PDF and XLSX
carry the same. A prestataire's users see their own organisation's bilans only.

The demo is seeded on 24/11/2026: ALPHA's summer session has three people entered in 2026
(WAIA on 31/08, OUNEMOA on 01/09, GOPOEA on 15/09); KAOUMA waits for her entry."""

import html
from datetime import date
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from prestataires.enums import MomentEvaluation
from prestataires.models import Evaluation, Parcours
from procurement.models import Lot, Prestataire
from reporting.enums import EtatBilanAnnuel
from reporting.indicateurs import calculer_indicateurs, lignes_du_classeur, lignes_du_tableau
from reporting.models import BilanAnnuel
from reporting.views.bilans_annuels import BilanAnnuelDetailView
from tests.offertes import verifier_les_offres
from tests.prestataires.conftest import a
from tests.prestataires.test_listes import ecarts, mesurer
from tests.reporting.test_page_indicateurs import cohorte
from workflows.history import historique
from workflows.models import Notification

NOUVEAU = reverse("bilans_annuels:add")
LISTE = reverse("bilans_annuels:index")
ANALYSE = "Une année de montée en charge : trois entrées l'été, un atelier collectif ouvert."


def ouvrir(client, user, jour="2026-11-24", **donnees):
    client.force_login(user)
    with a(jour):
        return client.post(NOUVEAU, donnees)


def bilan_alpha_2026(client, demo) -> BilanAnnuel:
    reponse = ouvrir(client, demo["alpha1"], lot=Lot.objects.get(numero=1).pk, annee=2026)
    assert reponse.status_code == 302, reponse.content.decode()[:3000]
    return BilanAnnuel.objects.get(prestataire__code="ALPHA")


def agir(client, user, bilan, jour="2026-11-24", **donnees):
    """POST an action on the bilan's page, and read the page it leads back to."""
    client.force_login(user)
    with a(jour):
        return client.post(bilan.get_absolute_url(), donnees, follow=True)


def messages(reponse) -> list[str]:
    """The messages shown on the page the action led back to."""
    assert reponse.redirect_chain, reponse.status_code
    return [message.message for message in reponse.context["messages"]]


def erreurs(reponse, champ) -> list[str]:
    return reponse.context["form"].errors[champ]


# --- Opening and asking ----------------------------------------------------------------------


def test_la_direction_ouvre_le_bilan_d_un_lot_qu_elle_tient_pour_une_annee(client, demo_bilans):
    """A year is 1 January to 31 December; the lots offered are those ALPHA holds (lot 1);
    the bilan is a draft nobody asked for."""
    client.force_login(demo_bilans["alpha1"])
    formulaire = client.get(NOUVEAU).context["form"]
    assert list(formulaire.fields["lot"].queryset) == [Lot.objects.get(numero=1)]
    assert formulaire.initial["lot"] == Lot.objects.get(numero=1).pk  # its only lot
    assert "prestataire" not in formulaire.fields

    bilan = bilan_alpha_2026(client, demo_bilans)

    assert (bilan.du, bilan.au, bilan.lot.numero) == (date(2026, 1, 1), date(2026, 12, 31), 1)
    assert bilan.etat == EtatBilanAnnuel.BROUILLON and bilan.demande_par is None
    assert Notification.objects.filter(lien=bilan.get_absolute_url()).count() == 0


def test_la_direction_ouvre_un_bilan_sur_une_periode_quelconque(client, demo_bilans):
    reponse = ouvrir(
        client, demo_bilans["alpha1"], lot=Lot.objects.get(numero=1).pk,
        du="2026-07-01", au="2026-10-31",
    )  # fmt: skip

    bilan = BilanAnnuel.objects.get()
    assert reponse.url == bilan.get_absolute_url()
    assert (bilan.du, bilan.au) == (date(2026, 7, 1), date(2026, 10, 31))


@pytest.mark.parametrize(
    ("donnees", "champ", "message"),
    [
        (
            {"annee": "2026", "du": "2026-07-01"},
            "annee",
            "Choisissez soit une année civile, soit une période (du, au), pas les deux.",
        ),
        ({"du": "2026-07-01"}, "au", "Indiquez une année civile ou les deux dates de la période."),
        (
            {"du": "2026-07-01", "au": "2026-06-30"},
            "au",
            "La fin de la période doit être le même jour que son début ou après.",
        ),
    ],
)
def test_une_periode_mal_dite_est_refusee_sur_son_champ(client, demo_bilans, donnees, champ,
                                                        message):  # fmt: skip
    reponse = ouvrir(client, demo_bilans["alpha1"], lot=Lot.objects.get(numero=1).pk, **donnees)

    assert reponse.status_code == 400
    assert erreurs(reponse, champ) == [message]
    assert message in html.unescape(reponse.content.decode())
    assert not BilanAnnuel.objects.exists()


def test_une_periode_a_deja_son_bilan(client, demo_bilans):
    bilan_alpha_2026(client, demo_bilans)

    reponse = ouvrir(client, demo_bilans["alpha1"], lot=Lot.objects.get(numero=1).pk, annee=2026)

    assert reponse.status_code == 400
    assert reponse.context["form"].non_field_errors() == [
        "Le bilan annuel ALPHA, lot 1, du 01/01/2026 au 31/12/2026 existe déjà : ouvrez-le "
        "depuis la liste."
    ]
    assert BilanAnnuel.objects.count() == 1


def test_une_direction_n_ouvre_pas_un_lot_qu_elle_ne_tient_pas(client, demo_bilans):
    reponse = ouvrir(client, demo_bilans["alpha1"], lot=Lot.objects.get(numero=2).pk, annee=2026)

    assert reponse.status_code == 400
    assert "lot" in reponse.context["form"].errors
    assert not BilanAnnuel.objects.exists()


def test_la_del_demande_un_bilan_et_la_direction_est_prevenue(client, demo_bilans):
    """gestionnaire1 asks BETA for its bilan of lot 1 over a period of its choice: beta1 (the
    direction) is told, with the link; ALPHA is not."""
    gestionnaire = demo_bilans["gestionnaire1"]
    reponse = ouvrir(
        client, gestionnaire, prestataire=Prestataire.objects.get(code="BETA").pk,
        lot=Lot.objects.get(numero=1).pk, du="2026-03-01", au="2026-09-30",
    )  # fmt: skip

    bilan = BilanAnnuel.objects.get()
    assert reponse.url == bilan.get_absolute_url()
    assert (bilan.prestataire.code, bilan.demande_par) == ("BETA", gestionnaire)
    notification = Notification.objects.get(lien=bilan.get_absolute_url())
    assert notification.destinataire == demo_bilans["beta1"]
    assert notification.message == (
        "La DEL demande le bilan annuel BETA, lot 1, du 01/03/2026 au 30/09/2026 : rédigez "
        "l'analyse et transmettez-le."
    )
    assert not Notification.objects.filter(
        destinataire=demo_bilans["alpha1"], lien=bilan.get_absolute_url()
    ).exists()


def test_la_del_ne_demande_pas_un_lot_que_le_prestataire_ne_tient_pas(client, demo_bilans):
    reponse = ouvrir(
        client, demo_bilans["gestionnaire1"], prestataire=Prestataire.objects.get(code="GAMMA").pk,
        lot=Lot.objects.get(numero=1).pk, annee=2026,
    )  # fmt: skip

    assert reponse.status_code == 400
    assert erreurs(reponse, "lot") == ["GAMMA ne tient pas le lot 1 sur cette période."]
    assert not BilanAnnuel.objects.exists()


# --- The page: indicators computed live, the nominative recap -----------------------------------


def test_la_page_montre_les_indicateurs_du_bilan_et_le_recapitulatif(client, demo_bilans):
    """The indicator table of ALPHA, lot 1, 2026, as calculer_indicateurs gives it; the recap
    lists the people entered in the period (WAIA with her entry evaluation of the project) and
    those met but not entered yet (KAOUMA, first contact on 20/11), never BETA's nor a
    withdrawal (TEANYOUEN)."""
    cohorte(demo_bilans, "BETA", 3)
    waia = Parcours.objects.get(demandeur__nom="WAIA")
    Evaluation.objects.create(
        parcours=waia, moment=MomentEvaluation.ENTREE, date=date(2026, 8, 31), projet=2,
        freins=2, engagement=3, savoir_etre=3, par=demo_bilans["alpha1"],
    )  # fmt: skip
    Parcours.objects.filter(demandeur__nom="KAOUMA").update(date_premier_contact=date(2026, 11, 20))
    bilan = bilan_alpha_2026(client, demo_bilans)

    with a("2026-11-24"):
        reponse = client.get(bilan.get_absolute_url())

    attendus = calculer_indicateurs(
        date(2026, 1, 1), date(2026, 12, 31), lot=1, prestataire="ALPHA"
    )
    assert reponse.context["figures"].indicateurs == attendus
    page = html.unescape(reponse.content.decode())
    for libelle, valeur in lignes_du_tableau(attendus):
        assert f'<td>{libelle}</td><td class="del-num">{valeur}</td>' in page
    recapitulatif = reponse.context["recapitulatif"]
    assert [(ligne.nom, ligne.date, ligne.nature_date) for ligne in recapitulatif] == [
        ("GOPOEA", date(2026, 9, 15), "entrée"),
        ("KAOUMA", date(2026, 11, 20), "premier contact"),
        ("OUNEMOA", date(2026, 9, 1), "entrée"),
        ("WAIA", date(2026, 8, 31), "entrée"),
    ]
    waia_ligne = recapitulatif[-1]
    assert waia_ligne.projet_a_l_entree == "2 : à renforcer"
    assert waia_ligne.demande == waia.ligne.prescription.motif
    assert waia_ligne.date_naissance == waia.demandeur.date_naissance
    assert waia_ligne.niveau_formation == waia.demandeur.niveau_formation.libelle
    assert recapitulatif[0].projet_a_l_entree == "pas encore évalué"
    assert "TEANYOUEN" not in page and "COHORTEBETA" not in page


def test_la_page_du_bilan_a_un_nombre_de_requetes_constant(client, demo_bilans):
    """5 or 30 people in the period: the page (indicators, charts, recap) takes the same
    number of queries, for the direction and for the DEL."""
    bilan = bilan_alpha_2026(client, demo_bilans)
    url = bilan.get_absolute_url()
    lecteurs = ("gestionnaire1", "alpha1")
    cohorte(demo_bilans, "ALPHA", 2)
    with a("2026-11-24"):
        avant = mesurer(client, demo_bilans, [url], lecteurs=lecteurs)
    cohorte(demo_bilans, "ALPHA", 25)
    with a("2026-11-24"):
        apres = mesurer(client, demo_bilans, [url], lecteurs=lecteurs)

    assert len(apres["alpha1", url].reponse.context["recapitulatif"]) == 30
    assert ecarts(avant, apres) == {}


# --- Writing, sending once ----------------------------------------------------------------------


def test_la_direction_redige_puis_transmet_une_seule_fois(client, demo_bilans):
    """The analysis is saved while a draft; sent with its analysis in one POST (the transition
    is journaled, the gestionnaires told); then neither sent again nor changed."""
    alpha1 = demo_bilans["alpha1"]
    bilan = bilan_alpha_2026(client, demo_bilans)

    reponse = agir(client, alpha1, bilan, action="enregistrer", analyse="Premier jet")
    assert messages(reponse) == ["Analyse enregistrée."]
    bilan.refresh_from_db()
    assert bilan.analyse == "Premier jet" and bilan.etat == EtatBilanAnnuel.BROUILLON

    vide = agir(client, alpha1, bilan, action="transmettre", analyse="  ")
    assert vide.status_code == 400
    assert vide.context["form_analyse"].errors["analyse"] == [
        "Rédigez l'analyse qualitative avant de transmettre le bilan."
    ]
    bilan.refresh_from_db()
    assert bilan.etat == EtatBilanAnnuel.BROUILLON and bilan.analyse == "Premier jet"

    reponse = agir(client, alpha1, bilan, action="transmettre", analyse=ANALYSE)
    assert messages(reponse) == ["Bilan annuel transmis à la DEL."]
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.analyse, bilan.transmis_par) == (
        EtatBilanAnnuel.TRANSMIS,
        ANALYSE,
        alpha1,
    )
    assert timezone.localdate(bilan.transmis_le) == date(2026, 11, 24)
    [transition] = historique(bilan)
    assert (transition.nom, transition.source, transition.cible, transition.par) == (
        "transmettre",
        "brouillon",
        "transmis",
        alpha1,
    )
    notification = Notification.objects.get(lien=bilan.get_absolute_url())
    assert notification.destinataire == demo_bilans["gestionnaire1"]

    refus = (
        "Ce bilan annuel a été transmis à la DEL le 24/11/2026 : il ne peut plus être modifié "
        "ni transmis de nouveau."
    )
    for action in ("transmettre", "enregistrer"):
        reponse = agir(client, alpha1, bilan, "2026-11-25", action=action, analyse="Autre chose")
        assert messages(reponse) == [refus]
    bilan.refresh_from_db()
    assert bilan.analyse == ANALYSE and len(historique(bilan)) == 1
    with a("2026-11-25"):
        page = client.get(bilan.get_absolute_url())
    assert page.context["form_analyse"] is None
    assert 'name="action"' not in page.content.decode()


def test_le_bilan_demande_par_la_del_revient_a_qui_l_a_demande(client, demo_bilans):
    gestionnaire = demo_bilans["gestionnaire1"]
    ouvrir(
        client, gestionnaire, prestataire=Prestataire.objects.get(code="ALPHA").pk,
        lot=Lot.objects.get(numero=1).pk, annee=2026,
    )  # fmt: skip
    bilan = BilanAnnuel.objects.get()

    agir(client, demo_bilans["alpha1"], bilan, action="transmettre", analyse=ANALYSE)

    assert list(
        Notification.objects.filter(message__contains="est transmis").values_list(
            "destinataire__username", flat=True
        )
    ) == ["gestionnaire1"]


def test_la_del_lit_mais_n_ecrit_pas_l_analyse(client, demo_bilans):
    bilan = bilan_alpha_2026(client, demo_bilans)
    gestionnaire = demo_bilans["gestionnaire1"]
    client.force_login(gestionnaire)
    with a("2026-11-24"):
        assert client.get(bilan.get_absolute_url()).context["form_analyse"] is None

    reponse = agir(client, gestionnaire, bilan, action="transmettre", analyse=ANALYSE)

    assert messages(reponse) == ["Seule la direction du prestataire rédige ce bilan annuel."]
    bilan.refresh_from_db()
    assert (bilan.etat, bilan.analyse) == (EtatBilanAnnuel.BROUILLON, "")


# --- Files --------------------------------------------------------------------------------------


@pytest.mark.pdf
def test_le_pdf_et_le_classeur_portent_le_bilan(client, demo_bilans):
    """The PDF (WeasyPrint) and the workbook (three sheets: indicators, nominative recap,
    analysis) carry the indicators, the people and the analysis."""
    bilan = bilan_alpha_2026(client, demo_bilans)
    agir(client, demo_bilans["alpha1"], bilan, action="transmettre", analyse=ANALYSE)
    indicateurs = calculer_indicateurs(
        date(2026, 1, 1), date(2026, 12, 31), lot=1, prestataire="ALPHA"
    )
    attendus = lignes_du_tableau(indicateurs)

    with a("2026-11-24"):
        pdf = client.get(reverse("bilans_annuels:export", args=[bilan.pk, "pdf"]))
        xlsx = client.get(reverse("bilans_annuels:export", args=[bilan.pk, "xlsx"]))

    assert pdf["Content-Disposition"] == (
        'attachment; filename="bilan-annuel-ALPHA-lot1-2026-01-01-2026-12-31.pdf"'
    )
    lecteur = PdfReader(BytesIO(b"".join(pdf.streaming_content)))
    texte = " ".join(" ".join(page.extract_text().split()) for page in lecteur.pages)
    assert "Bilan annuel : ALPHA, lot 1" in texte
    assert "du 01/01/2026 au 31/12/2026" in texte
    for libelle, valeur in attendus:
        assert f"{libelle} {valeur}" in texte
    for nom in ("WAIA", "OUNEMOA", "GOPOEA"):
        assert nom in texte
    assert " ".join(ANALYSE.split()) in texte
    assert "Transmis à la DEL le 24/11/2026" in texte

    classeur = openpyxl.load_workbook(BytesIO(xlsx.content))
    assert classeur.sheetnames == ["Indicateurs", "Récapitulatif nominatif", "Analyse"]
    assert list(classeur["Indicateurs"].iter_rows(values_only=True)) == [
        ("Indicateur", "Valeur"),
        *lignes_du_classeur(indicateurs),
    ]
    taux = {ligne[0].value: ligne[1] for ligne in classeur["Indicateurs"].iter_rows(min_row=2)}
    taux_d_entree = taux["Taux d'entrée"]  # '80,0 %' as text before issue 18, item 10
    assert isinstance(taux_d_entree.value, float) and taux_d_entree.number_format == "0.0 %"
    personnes = list(classeur["Récapitulatif nominatif"].iter_rows(values_only=True))
    assert personnes[0] == (  # the prestataire's file: no motif (least knowledge)
        "Nom", "Prénom", "Date de naissance", "Niveau de formation",
        "Projet à l'entrée (évaluation)", "Date d'entrée ou de premier contact",
        "Nature de la date",
    )  # fmt: skip
    waia = Parcours.objects.select_related("demandeur").get(demandeur__nom="WAIA")
    assert [ligne[0] for ligne in personnes[1:]] == ["GOPOEA", "OUNEMOA", "WAIA"]
    assert personnes[3][2].date() == waia.demandeur.date_naissance
    assert personnes[3][5].date() == date(2026, 8, 31)
    analyse = dict(classeur["Analyse"].iter_rows(min_row=2, values_only=True))
    assert analyse["Analyse qualitative"] == ANALYSE
    assert analyse["État"] == "Transmis à la DEL"
    assert analyse["Transmis le"].date() == date(2026, 11, 24)


# --- Isolation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["beta1", "gamma1"])
def test_un_autre_prestataire_ne_voit_pas_le_bilan_d_alpha(client, demo_bilans, username):
    bilan = bilan_alpha_2026(client, demo_bilans)
    client.force_login(demo_bilans[username])

    with a("2026-11-24"):
        for url in (
            bilan.get_absolute_url(),
            reverse("bilans_annuels:export", args=[bilan.pk, "pdf"]),
            reverse("bilans_annuels:export", args=[bilan.pk, "xlsx"]),
        ):
            assert client.get(url).status_code == 404, url
        envoi = client.post(bilan.get_absolute_url(), {"action": "transmettre", "analyse": "x"})
        assert envoi.status_code == 404
        liste = client.get(LISTE)
    assert list(liste.context["object_list"]) == []
    bilan.refresh_from_db()
    assert bilan.etat == EtatBilanAnnuel.BROUILLON and bilan.analyse == ""


def test_un_charge_d_insertion_n_ouvre_pas_les_bilans_annuels(client, demo_bilans):
    bilan = bilan_alpha_2026(client, demo_bilans)
    client.force_login(demo_bilans["alpha2"])

    for url in (LISTE, NOUVEAU, bilan.get_absolute_url()):
        assert client.get(url).status_code == 403


# --- The list -------------------------------------------------------------------------------------


def bilans_en_nombre(demo, nombre):
    """`nombre` bilans of ALPHA's lot 1 over successive months, asked for by the DEL."""
    alpha, lot = Prestataire.objects.get(code="ALPHA"), Lot.objects.get(numero=1)
    debut = BilanAnnuel.objects.count()
    BilanAnnuel.objects.bulk_create(
        BilanAnnuel(
            prestataire=alpha, lot=lot, du=date(2000 + rang, 1, 1), au=date(2000 + rang, 12, 31),
            demande_par=demo["gestionnaire1"],
        )
        for rang in range(debut, debut + nombre)
    )  # fmt: skip


def test_la_liste_a_un_nombre_de_requetes_constant(client, demo_bilans):
    lecteurs = ("gestionnaire1", "alpha1", "beta1")
    bilans_en_nombre(demo_bilans, 2)
    avant = mesurer(client, demo_bilans, [LISTE], lecteurs=lecteurs)
    bilans_en_nombre(demo_bilans, 20)
    apres = mesurer(client, demo_bilans, [LISTE], lecteurs=lecteurs)

    assert len(apres["alpha1", LISTE].reponse.context["object_list"]) == 22
    assert apres["beta1", LISTE].reponse.context["object_list"].count() == 0
    assert ecarts(avant, apres) == {}


def test_la_page_offre_la_redaction_a_la_direction_tant_que_le_bilan_n_est_pas_transmis(
    client, demo_bilans
):
    """Sending is the bilan's transition (django-fsm: from the draft, by the direction of its
    prestataire); saving the analysis goes with it; the DEL and a sent bilan offer nothing."""
    bilan = bilan_alpha_2026(client, demo_bilans)

    utilisateurs = ("alpha1", "gestionnaire1", "beta1")
    with a("2026-11-24"):
        verifier_les_offres(demo_bilans, bilan, BilanAnnuelDetailView, utilisateurs,
                            alpha1={"enregistrer", "transmettre"}, beta1=None)  # fmt: skip
    agir(client, demo_bilans["alpha1"], bilan, action="transmettre", analyse=ANALYSE)
    verifier_les_offres(demo_bilans, bilan, BilanAnnuelDetailView, utilisateurs, beta1=None)
