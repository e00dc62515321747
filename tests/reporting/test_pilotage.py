"""The managers' dashboard (pilotage:index): what is late or soon due, with its days of delay
and a link to the page where to act (docs/domaine.md step 9: "a late bilan is visible to managers
the day after its due date"). A prestataire's direction sees the same board, limited to its own
organisation; BETA never sees anything of ALPHA's."""

from datetime import date, timedelta
from itertools import count

from django.urls import reverse

from accounts.models import User
from bons_de_commande import services as commandes
from bons_de_commande.enums import EtatBonDeCommande
from bons_de_commande.models import Avenant, BonDeCommande
from prestataires.enums import EtatParcours
from prestataires.models import Parcours
from procurement.models import Lot, Prestataire
from remunerations.models import EtatRemuneration
from tests.factories import lignes_commandees, parcours_de_la_ligne
from tests.prestataires.conftest import a
from tests.prestataires.test_listes import afficher, ecarts, mesurer

from .conftest import SEED, SESSION_ETE, bilan_de, creer_bilans, creer_bons, parcours_de

TABLEAU = reverse("pilotage:index")
BILANS_EN_RETARD = "Bilans de fin de parcours en retard"
BILANS_BIENTOT_DUS = "Bilans à transmettre"
COMMANDES = "Bons de commande et avenants non accusés"
NON_ENTRES = "Parcours non entrés"
ETATS = "États de rémunération non soumis"


def alertes(reponse, titre: str) -> dict:
    """The dashboard's list whose title starts with `titre`, as {label: (prestataire, due
    date, days of delay)}."""
    (liste,) = [liste for liste in reponse.context["listes"] if liste.titre.startswith(titre)]
    assert liste.total == len(liste.alertes)
    return {a.libelle: (a.prestataire, a.echeance, a.jours_de_retard) for a in liste.alertes}


def liens(reponse, titre: str) -> dict:
    (liste,) = [liste for liste in reponse.context["listes"] if liste.titre.startswith(titre)]
    return {a.libelle: a.lien for a in liste.alertes}


def tableau(client, user, jour: str):
    client.force_login(user)
    with a(jour):
        reponse = client.get(TABLEAU)
    assert reponse.status_code == 200, user
    return reponse


def emettre_la_commande_de_beta(demo):
    """The demo's closed BETA session (SIMUTOGA): its order issued on 24/11/2026 at 10:00,
    not acknowledged."""
    bon = BonDeCommande.objects.get(prestataire__code="BETA")
    with a("2026-11-24", heure=10):
        commandes.emettre(bon, par=demo["gestionnaire1"])
    bon.refresh_from_db()
    return bon


def test_tableau_de_bord_des_retards_et_de_ce_qui_est_bientot_du(client, demo_bilans):
    """On 01/12/2026 the gestionnaire sees, each with its due date and days of delay: the
    orders and avenants not acknowledged 5 days after their issue (BETA's order and ALPHA's
    avenant, issued on 24/11: 2 days), KAOUMA not entered 15 days after the acknowledgement of
    12/11 (4 days), ALPHA's October état not submitted by 10/11 (21 days). The summer session's
    bilan, due on 28/06/2027, is soon due on 20/06 (in 8 days) and overdue on 29/06 (1 day),
    the day after its due date and not before (docs/domaine.md step 9)."""
    gestionnaire1 = demo_bilans["gestionnaire1"]
    bon_beta = emettre_la_commande_de_beta(demo_bilans)
    avenant = Avenant.objects.get(bon__numero="BC-2026-0002")

    reponse = tableau(client, gestionnaire1, "2026-12-01")
    assert alertes(reponse, COMMANDES) == {
        str(bon_beta): ("BETA", date(2026, 11, 29), 2),
        str(avenant): ("ALPHA", date(2026, 11, 29), 2),
    }
    assert liens(reponse, COMMANDES)[str(bon_beta)] == bon_beta.get_absolute_url()
    assert alertes(reponse, NON_ENTRES) == {"KAOUMA Rose": ("ALPHA", date(2026, 11, 27), 4)}
    assert liens(reponse, NON_ENTRES)["KAOUMA Rose"] == parcours_de("KAOUMA").get_absolute_url()
    octobre = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois=date(2026, 10, 1))
    assert alertes(reponse, ETATS) == {"Octobre 2026": ("ALPHA", date(2026, 11, 10), 21)}
    assert liens(reponse, ETATS)["Octobre 2026"] == octobre.get_absolute_url()
    assert alertes(reponse, BILANS_EN_RETARD) == {}
    assert alertes(reponse, BILANS_BIENTOT_DUS) == {}
    page = reponse.content.decode()
    assert f'href="{parcours_de("KAOUMA").get_absolute_url()}">KAOUMA Rose</a>' in page
    assert '<span class="del-retard">21</span>' in page

    bilan = bilan_de(SESSION_ETE)
    session = f"Session {SESSION_ETE}"
    reponse = tableau(client, gestionnaire1, "2027-06-20")
    assert alertes(reponse, BILANS_BIENTOT_DUS) == {session: ("ALPHA", date(2027, 6, 28), 0)}
    assert "dans 8 jour(s)" in reponse.content.decode()
    assert alertes(reponse, BILANS_EN_RETARD) == {}
    assert alertes(tableau(client, gestionnaire1, "2027-06-28"), BILANS_EN_RETARD) == {}

    reponse = tableau(client, gestionnaire1, "2027-06-29")
    assert alertes(reponse, BILANS_EN_RETARD) == {session: ("ALPHA", date(2027, 6, 28), 1)}
    assert liens(reponse, BILANS_EN_RETARD) == {session: bilan.get_absolute_url()}
    assert alertes(reponse, BILANS_BIENTOT_DUS) == {}
    assert f'href="{bilan.get_absolute_url()}">{session}</a>' in reponse.content.decode()


def test_chaque_direction_ne_voit_que_les_retards_de_sa_structure(client, demo_bilans):
    """A prestataire's direction sees the board limited to its own organisation: ALPHA's
    direction ALPHA's avenant, KAOUMA, its état and its overdue bilan; BETA's direction its own
    order and nothing of ALPHA's; the chargé d'insertion and the conseillers do not open it."""
    bon_beta = emettre_la_commande_de_beta(demo_bilans)
    avenant = Avenant.objects.get(bon__numero="BC-2026-0002")
    alpha1, beta1 = demo_bilans["alpha1"], demo_bilans["beta1"]

    reponse = tableau(client, alpha1, "2026-12-01")
    assert alertes(reponse, COMMANDES) == {str(avenant): ("ALPHA", date(2026, 11, 29), 2)}
    assert alertes(reponse, NON_ENTRES) == {"KAOUMA Rose": ("ALPHA", date(2026, 11, 27), 4)}
    assert alertes(reponse, ETATS) == {"Octobre 2026": ("ALPHA", date(2026, 11, 10), 21)}
    assert "BETA" not in reponse.content.decode().replace("Association Beta", "")

    reponse = tableau(client, beta1, "2026-12-01")
    assert alertes(reponse, COMMANDES) == {str(bon_beta): ("BETA", date(2026, 11, 29), 2)}
    for titre in (NON_ENTRES, ETATS, BILANS_EN_RETARD, BILANS_BIENTOT_DUS):
        assert alertes(reponse, titre) == {}, titre
    page = reponse.content.decode()
    for secret in ("ALPHA", "KAOUMA", str(avenant), SESSION_ETE, "Octobre 2026"):
        assert secret not in page, secret

    assert alertes(tableau(client, alpha1, "2027-06-29"), BILANS_EN_RETARD) == {
        f"Session {SESSION_ETE}": ("ALPHA", date(2027, 6, 28), 1)
    }
    page = tableau(client, beta1, "2027-06-29").content.decode()
    assert SESSION_ETE not in page and "ALPHA" not in page

    for username in ("alpha2", "conseiller1"):
        client.force_login(demo_bilans[username])
        assert client.get(TABLEAU).status_code == 403, username


# --- Volume ---------------------------------------------------------------------------------

_rangs = count()


def grandir(nombre: int):
    """For ALPHA and BETA each, `nombre` of everything the board lists: bilans overdue and
    soon due on 01/12/2026, parcours waiting for entry on their acknowledged orders, orders
    issued and not acknowledged, états de rémunération not submitted (one a month, going back
    from July 2026)."""
    conseiller = User.objects.get(username="conseiller1")
    lot = Lot.objects.get(numero=1)
    for code in ("ALPHA", "BETA"):
        prestataire = Prestataire.objects.get(code=code)
        fins = [date(2026, 10, 20) + timedelta(days=(i * 2) % 24) for i in range(nombre)]
        bilans = creer_bilans(code, fins)
        lignes = lignes_commandees(
            [next(_rangs) for _ in range(nombre)], bon=bilans[0].bon, prestataire=prestataire,
            lot=lot, conseiller=conseiller, duree_mois=7, nom=f"ATTENTE{code}",
        )  # fmt: skip
        Parcours.objects.bulk_create(
            parcours_de_la_ligne(ligne, etat=EtatParcours.ATTENTE_ENTREE)
            for ligne in lignes
        )  # fmt: skip
        creer_bons(code, nombre, etat=EtatBonDeCommande.EMIS, emis_le=SEED)
        rangs = [next(_rangs) for _ in range(nombre)]
        EtatRemuneration.objects.bulk_create(
            EtatRemuneration(prestataire=prestataire,
                             mois=date(2026 - (1 + rang // 12), 1 + rang % 12, 1))
            for rang in rangs
        )  # fmt: skip


def test_tableau_de_bord_requetes_constantes(client, demo_bilans):
    """The board renders with the same number of SQL queries whether each list holds 2 or 20
    lines per prestataire, for the gestionnaire and each direction."""
    lecteurs = ("gestionnaire1", "alpha1", "beta1")
    grandir(2)
    with a("2026-12-01"):
        avant = mesurer(client, demo_bilans, [TABLEAU], lecteurs=lecteurs)
    grandir(18)
    with a("2026-12-01"):
        apres = mesurer(client, demo_bilans, [TABLEAU], lecteurs=lecteurs)
    afficher(avant, apres)
    assert ecarts(avant, apres) == {}, "N+1 sur le tableau de bord"

    # The lists did grow.
    for username, par_prestataire in (("gestionnaire1", 2), ("beta1", 1)):
        reponse = apres[username, TABLEAU].reponse
        en_retard = alertes(reponse, BILANS_EN_RETARD)
        assert len(en_retard) >= 10 * par_prestataire, username
        assert len(alertes(reponse, NON_ENTRES)) >= 20 * par_prestataire, username
        assert len(alertes(reponse, COMMANDES)) >= 20 * par_prestataire, username
        assert len(alertes(reponse, ETATS)) >= 20 * par_prestataire, username
    beta = apres["beta1", TABLEAU].reponse
    for titre in (BILANS_EN_RETARD, BILANS_BIENTOT_DUS, NON_ENTRES, COMMANDES, ETATS):
        assert {prestataire for prestataire, *_ in alertes(beta, titre).values()} == {"BETA"}
