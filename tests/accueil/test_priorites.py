"""Issue 18, item 2: each home starts with what is late (days late) and what is due soon (its
due date), each line naming its record and leading to where to act, then the other tasks. The
delays are the managers' dashboard's, on Nouméa's calendar."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from accueil.echeances import dernier_mois_du
from bons_de_commande.enums import EtatBonDeCommande
from prestataires.enums import EtatParcours, NatureRendezVous
from prestataires.models import RendezVous
from procurement.calendrier import ajouter_mois
from procurement.models import AttributionLot
from remunerations.models import EtatRemuneration
from reporting import pilotage
from reporting.models import BilanFinParcours
from tests.conftest import NOUMEA
from tests.factories import bons_de_commande, parcours_commandes, taches_en_attente
from tests.prestataires.conftest import a
from tests.prestataires.test_listes import afficher, ecarts, mesurer
from workflows.flows import BilanFlow, CommissionFlow, SuiviParcoursFlow
from workflows.taches import noeud

ACCUEIL = reverse("accueil:index")


def attribution(code="ALPHA") -> AttributionLot:
    return AttributionLot.objects.select_related("prestataire", "lot").get(
        prestataire__code=code, lot__numero=1
    )


def bilan_a_rediger(fin_session: date, code="ALPHA") -> BilanFinParcours:
    """The bilan of a session of `code` ended on `fin_session`, waiting for its direction."""
    gestionnaire = User.objects.get_by_natural_key("gestionnaire1")
    (bon,) = bons_de_commande(1, attribution=attribution(code), emis_par=gestionnaire)
    bilan = BilanFinParcours.de_la_session(bon, fin_session)
    bilan.save()
    taches_en_attente([bilan], noeud(BilanFlow, "rediger"))
    return bilan


def accueil(client, user, moment: datetime):
    client.force_login(user)
    with time_machine.travel(moment, tick=False):
        reponse = client.get(ACCUEIL)
    assert reponse.status_code == 200
    return reponse


def priorites(reponse):
    return reponse.context["priorites"]


def dossiers(lignes):
    return [ligne.alerte.libelle for ligne in lignes]


def ligne_de(lignes, lien):
    """The one line leading to `lien`."""
    (ligne,) = [ligne for ligne in lignes if ligne.lien == lien]
    return ligne


def test_un_bilan_en_retard_en_tete_avec_ses_jours_comme_au_tableau_de_bord(client, demo):
    """Given BETA's session ended on 31/10 (its bilan due on 30/11, the month's last day),
    its direction's home starts with it, late by as many days as the dashboard says, named by
    its session and leading to the bilan; before the due date (Nouméa's), it is due soon."""
    bilan = bilan_a_rediger(date(2026, 10, 31), code="BETA")
    assert bilan.echeance == date(2026, 11, 30)
    beta1 = demo["beta1"]

    # 30/11 at 23:30 in Nouméa is still the due day (12:30 UTC).
    reponse = accueil(client, beta1, datetime(2026, 11, 30, 12, 30, tzinfo=UTC))
    ligne = ligne_de(priorites(reponse).bientot, bilan.get_absolute_url())
    assert ligne.alerte.echeance == date(2026, 11, 30) and ligne.jours_restants == 0
    assert "aujourd'hui" in reponse.content.decode()
    assert bilan.session not in dossiers(priorites(reponse).en_retard)

    # Half an hour later in UTC terms... 01/12 at 00:30 in Nouméa: one day late.
    moment = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)
    reponse = accueil(client, beta1, moment)
    ligne = ligne_de(priorites(reponse).en_retard, bilan.get_absolute_url())
    assert ligne.alerte.jours_de_retard == 1
    jour = moment.astimezone(NOUMEA).date()
    (au_tableau,) = [
        alerte
        for alerte in pilotage.bilans_en_retard(beta1, jour).premiere_page().alertes
        if alerte.lien == bilan.get_absolute_url()
    ]
    assert (ligne.alerte.echeance, ligne.alerte.jours_de_retard) == (
        au_tableau.echeance,
        au_tableau.jours_de_retard,
    )
    page = reponse.content.decode()
    assert str(bilan) in page and f'href="{bilan.get_absolute_url()}"' in page
    # What is late comes before the other tasks, and is not repeated among them.
    assert page.index("En retard (") < page.index("<h2>Mes autres tâches")
    assert all(task.pk != ligne.task.pk for task, _, _ in reponse.context["autres"])

    # 41 days later, 41 days late (the example), still as on the dashboard.
    reponse = accueil(client, beta1, moment + timedelta(days=40))
    ligne = ligne_de(priorites(reponse).en_retard, bilan.get_absolute_url())
    assert ligne.alerte.jours_de_retard == 41
    assert "41 jours" in reponse.content.decode()


def test_l_etat_de_remuneration_du_le_10_puis_en_retard(client, demo):
    """ALPHA's October état is due on 10/11: that day it is due "aujourd'hui", from 11/11 at
    midnight in Nouméa (13:00 UTC on 10/11) it is late, named by its month."""
    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=date(2026, 10, 1))
    alpha1 = demo["alpha1"]
    reponse = accueil(client, alpha1, datetime(2026, 11, 10, 12, 59, tzinfo=UTC))
    (ligne,) = [x for x in priorites(reponse).bientot if x.alerte.lien == etat.get_absolute_url()]
    assert ligne.alerte.echeance == date(2026, 11, 10) and ligne.jours_restants == 0
    assert "octobre 2026" in reponse.content.decode()

    reponse = accueil(client, alpha1, datetime(2026, 11, 10, 13, 0, tzinfo=UTC))
    (ligne,) = [x for x in priorites(reponse).en_retard if x.alerte.lien == etat.get_absolute_url()]
    assert ligne.alerte.jours_de_retard == 1
    (au_tableau,) = pilotage.etats_non_soumis(alpha1, date(2026, 11, 11)).premiere_page().alertes
    assert au_tableau.jours_de_retard == ligne.alerte.jours_de_retard
    # Finance, alerted of it, sees it among what it follows.
    reponse = accueil(client, demo["finance1"], datetime(2026, 11, 10, 13, 0, tzinfo=UTC))
    (suivi,) = reponse.context["a_suivre"]
    assert suivi.premiere.jours_de_retard == 1 and suivi.total == 1


def test_dernier_mois_du_suit_la_date_limite():
    """The months due by a day are those whose date_limite is on or before it, every day of
    two years, across month ends, year ends and 29 February."""
    for n in range(2 * 366):
        limite = date(2026, 12, 1) + timedelta(days=n)
        mois = dernier_mois_du(limite)
        assert EtatRemuneration(mois=mois).date_limite <= limite, limite
        assert EtatRemuneration(mois=ajouter_mois(mois, 1)).date_limite > limite, limite


def test_accuse_de_reception_du_5_jours_apres_l_emission_a_noumea(client, demo):
    """An order issued on 30/11 at 22:00 in Nouméa (11:00 UTC) is to be acknowledged by 05/12
    (Nouméa's day of issue, not UTC's), as the dashboard says."""
    gestionnaire = User.objects.get_by_natural_key("gestionnaire1")
    emis_le = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)
    (bon,) = bons_de_commande(
        1, attribution=attribution(), emis_par=gestionnaire, etat=EtatBonDeCommande.EMIS,
        emis_le=emis_le,
    )  # fmt: skip
    taches_en_attente([bon.session], noeud(CommissionFlow, "accuser_reception"))
    alpha1 = demo["alpha1"]

    reponse = accueil(client, alpha1, datetime(2026, 12, 5, 9, tzinfo=NOUMEA))
    (ligne,) = [x for x in priorites(reponse).bientot if x.alerte.libelle == str(bon)]
    assert ligne.alerte.echeance == date(2026, 12, 5) and ligne.jours_restants == 0

    reponse = accueil(client, alpha1, datetime(2026, 12, 6, 0, 30, tzinfo=NOUMEA))
    (ligne,) = [x for x in priorites(reponse).en_retard if x.alerte.libelle == str(bon)]
    assert ligne.alerte.jours_de_retard == 1
    assert ligne.lien == bon.get_absolute_url()
    au_tableau = pilotage.alerte_commande(bon, bon.prestataire, date(2026, 12, 6))
    assert au_tableau == ligne.alerte


def test_parcours_sans_contact_en_retard_pour_le_charge(client, demo):
    """A running parcours without contact for more than 15 days is late for the chargé who
    follows it, from the day after its contact was due, as on the dashboard."""
    alpha2 = demo["alpha2"]
    gestionnaire = User.objects.get_by_natural_key("gestionnaire1")
    (parcours,) = parcours_commandes(
        1, attribution=attribution(), par=gestionnaire, etat=EtatParcours.EN_COURS,
        date_entree=date(2026, 10, 1), charge=alpha2,
    )  # fmt: skip
    RendezVous.objects.create(
        parcours=parcours, date=date(2026, 11, 30), nature=NatureRendezVous.INDIVIDUEL,
        objet="Point", par=alpha2,
    )  # fmt: skip
    taches_en_attente([parcours], noeud(SuiviParcoursFlow, "conduire"))

    reponse = accueil(client, alpha2, datetime(2026, 12, 15, 9, tzinfo=NOUMEA))
    assert parcours.get_absolute_url() not in [x.lien for x in priorites(reponse).en_retard]
    # The task is among the others, without a due date.
    assert parcours.get_absolute_url() in [lien for _, lien, _ in reponse.context["autres"]]

    reponse = accueil(client, alpha2, datetime(2026, 12, 16, 9, tzinfo=NOUMEA))
    (ligne,) = [x for x in priorites(reponse).en_retard if x.lien == parcours.get_absolute_url()]
    assert ligne.alerte.echeance == date(2026, 12, 15) and ligne.alerte.jours_de_retard == 1
    assert "dernier contact le 30/11/2026" in reponse.content.decode()


@pytest.mark.parametrize(
    "username",
    ["beta1", "alpha1", "alpha2", "conseiller1", "ts1", "commission1", "gestionnaire1", "finance1"],
)
def test_chaque_accueil_commence_par_les_priorites(client, demo, username):
    """Every role's home starts with what is late and due soon (or says nothing is), before
    its other tasks."""
    reponse = accueil(client, demo[username], datetime(2026, 12, 2, 9, tzinfo=NOUMEA))
    page = reponse.content.decode()
    debut = page.index("À faire en priorité")
    assert debut < page.index("<h2>Mes ")
    p = priorites(reponse)
    if not (p.total_en_retard or p.total_bientot):
        assert "Rien n'est en retard, rien n'est attendu d'ici le 17/12/2026." in page


def test_le_gestionnaire_suit_les_retards_des_prestataires(client, demo):
    """The gestionnaire, alerted of late bilans, sees on his home the dashboard's lists with
    their most late line and a link to each."""
    bilan = bilan_a_rediger(date(2026, 9, 30), code="BETA")
    reponse = accueil(client, demo["gestionnaire1"], datetime(2026, 12, 2, 9, tzinfo=NOUMEA))
    (bilans,) = [
        liste for liste in reponse.context["a_suivre"] if liste.titre.startswith("Bilans de fin")
    ]
    assert bilans.premiere.lien == bilan.get_absolute_url()
    assert bilans.premiere.jours_de_retard == (date(2026, 12, 2) - bilan.echeance).days
    assert f'href="{reverse("pilotage:index")}?liste=bilans_en_retard"' in reponse.content.decode()


def test_le_conseiller_suit_les_parcours_de_ses_prescriptions(client, demo):
    """KAOUMA's order was acknowledged on 12/11: on 02/12 her parcours is 5 days late for
    entry, on the home of her conseiller référent (alerted of it), not on another's."""
    moment = datetime(2026, 12, 2, 9, tzinfo=NOUMEA)
    reponse = accueil(client, demo["conseiller1"], moment)
    (non_entres,) = [
        liste for liste in reponse.context["a_suivre"] if liste.titre.startswith("Parcours non")
    ]
    assert non_entres.titre == "Parcours non entrés, de mes prescriptions"
    assert non_entres.premiere.libelle == "KAOUMA Rose"
    assert non_entres.premiere.jours_de_retard == 5
    assert "5 jours" in reponse.content.decode()

    reponse = accueil(client, demo["conseiller2"], moment)
    assert "KAOUMA" not in reponse.content.decode()


@pytest.mark.parametrize(
    "lecteur", ["alpha1", "alpha2", "gestionnaire1", "finance1", "conseiller1"]
)
def test_priorites_requetes_constantes(client, demo, lecteur):
    """The home takes the same queries with 2 or 32 late bilans, silent parcours and parcours
    to enter."""
    gestionnaire = User.objects.get_by_natural_key("gestionnaire1")
    alpha2 = demo["alpha2"]

    def ajouter(nombre):
        bons = bons_de_commande(nombre, attribution=attribution(), emis_par=gestionnaire)
        bilans = BilanFinParcours.objects.bulk_create(
            BilanFinParcours.de_la_session(bon, date(2026, 10, 1)) for bon in bons
        )
        taches_en_attente(bilans, noeud(BilanFlow, "rediger"))
        silencieux = parcours_commandes(
            nombre, attribution=attribution(), par=gestionnaire, etat=EtatParcours.EN_COURS,
            date_entree=date(2026, 9, 1), charge=alpha2,
        )  # fmt: skip
        taches_en_attente(silencieux, noeud(SuiviParcoursFlow, "conduire"))
        a_entrer = parcours_commandes(
            nombre, attribution=attribution(), par=gestionnaire,
            etat=EtatParcours.ATTENTE_ENTREE, charge=alpha2,
        )  # fmt: skip
        taches_en_attente(a_entrer, noeud(SuiviParcoursFlow, "entrer"))

    ajouter(2)
    with a("2026-12-02"):
        avant = mesurer(client, demo, [ACCUEIL], lecteurs=[lecteur])
    ajouter(30)
    with a("2026-12-02"):
        apres = mesurer(client, demo, [ACCUEIL], lecteurs=[lecteur])
    afficher(avant, apres)
    assert ecarts(avant, apres) == {}, "N+1 sur l'accueil"
    if lecteur == "alpha1":
        assert apres[lecteur, ACCUEIL].reponse.context["priorites"].total_en_retard >= 96
