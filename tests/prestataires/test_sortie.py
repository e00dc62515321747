"""The exit of a parcours (docs/domaine.md steps 7 and 8; issue 18, items 3 and 8): recorded once
confirmed, since it cannot be undone; a sortie anticipée into employment owes its reason, not
the difficulties and préconisations that the CCTP asks only of a rupture; the maintien's
contact "at one month" is one made within 7 days of that date, not on the exit day."""

from datetime import date
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from prestataires import services
from prestataires.enums import EtatParcours, TypeFin
from prestataires.models import ContactMaintien
from procurement.models import TypeSortie
from workflows.models import Notification

from .conftest import a
from .test_regles import en_cours  # noqa: F401 -- KAOUMA, entered on 16/11/2026

pytestmark = pytest.mark.django_db


def cdi():
    return TypeSortie.objects.get(code="cdi")


def embauchee(parcours, par, jour=date(2027, 1, 10), **precisions):
    """KAOUMA hired on a CDI before her term (15/05/2027): a sortie anticipée."""
    with a(jour.isoformat()):
        return services.sortir(
            parcours,
            par=par,
            date_sortie=jour,
            type_fin=TypeFin.ANTICIPEE,
            type_sortie=cdi(),
            **precisions,
        )


# --- What an early exit must say --------------------------------------------------------------


def test_sortie_anticipee_en_cdi_sans_difficultes_ni_preconisations(demo, en_cours):  # noqa: F811
    """The CCTP asks the difficulties and préconisations of a rupture only: hired before the
    term, the reason is enough."""
    embauchee(en_cours, demo["alpha2"], motif_sortie="Embauchée en CDI chez Casino Johnston")
    en_cours.refresh_from_db()
    assert (en_cours.etat, en_cours.classe_sortie) == (EtatParcours.MAINTIEN, "ED")
    assert (en_cours.difficultes, en_cours.preconisations) == ("", "")


def test_sortie_anticipee_sans_motif_refusee_au_champ_du_motif(demo, en_cours):  # noqa: F811
    with pytest.raises(ValidationError) as refus:
        embauchee(en_cours, demo["alpha2"])
    assert refus.value.message_dict == {
        "motif_sortie": ["Pour une sortie anticipée ou une rupture, précisez le motif."]
    }


@pytest.mark.parametrize("type_fin", [TypeFin.RUPTURE_STAGIAIRE, TypeFin.RUPTURE_STRUCTURE])
def test_rupture_exige_difficultes_et_preconisations(demo, en_cours, type_fin):  # noqa: F811
    with a("2027-01-10"), pytest.raises(ValidationError) as refus:
        services.sortir(
            en_cours,
            par=demo["alpha2"],
            date_sortie=date(2027, 1, 10),
            type_fin=type_fin,
            type_sortie=TypeSortie.objects.get(code="abandon"),
            motif_sortie="Absences répétées",
        )
    assert refus.value.message_dict == {
        "difficultes": ["Pour une rupture, précisez les difficultés rencontrées."],
        "preconisations": ["Pour une rupture, précisez les préconisations."],
    }


def test_le_formulaire_dit_ce_que_le_service_exige(client, demo, en_cours):  # noqa: F811
    client.force_login(demo["alpha2"])
    page = unescape(client.get(en_cours.get_absolute_url()).content.decode())
    assert "Requis pour une sortie anticipée (par exemple une embauche avant le terme)" in page
    assert "Requises pour une rupture : le bilan détaille les difficultés" in page


# --- Asked once -------------------------------------------------------------------------------

SORTIE_EN_CDI = {
    "action": "sortir",
    "sortie-date_sortie": "2027-01-10",
    "sortie-type_fin": "anticipee",
    "sortie-motif_sortie": "Embauchée en CDI",
}


def test_la_sortie_demande_une_confirmation_puis_s_enregistre(demo, en_cours):  # noqa: F811
    client = Client()
    client.force_login(demo["alpha2"])
    donnees = {**SORTIE_EN_CDI, "sortie-type_sortie": cdi().pk}
    with a("2027-01-10"):
        reponse = client.post(en_cours.get_absolute_url(), donnees)
    page = unescape(reponse.content.decode())
    assert reponse.status_code == 400
    assert (
        "Vous allez enregistrer la sortie de KAOUMA Rose le 10/01/2027 (sortie anticipée, "
        "situation : CDI) : le maintien dans l'emploi sera suivi jusqu'au 10/04/2027 (contacts "
        "à un, deux et trois mois). La sortie ne pourra plus être modifiée." in page
    )
    assert '<input type="hidden" name="confirme" value="1">' in page
    assert '<input type="hidden" name="sortie-motif_sortie" value="Embauchée en CDI">' in page
    assert ">Enregistrer la sortie</button>" in page.split('class="del-msg del-confirmation"')[1]
    en_cours.refresh_from_db()
    assert (en_cours.etat, en_cours.date_sortie) == (EtatParcours.EN_COURS, None)

    with a("2027-01-10"):
        reponse = client.post(en_cours.get_absolute_url(), {**donnees, "confirme": "1"})
    assert reponse.status_code == 302
    en_cours.refresh_from_db()
    assert (en_cours.etat, en_cours.date_sortie) == (EtatParcours.MAINTIEN, date(2027, 1, 10))


def test_une_sortie_refusee_le_dit_avant_de_demander_confirmation(demo, en_cours):  # noqa: F811
    client = Client()
    client.force_login(demo["alpha2"])
    donnees = {
        **SORTIE_EN_CDI,
        "sortie-type_fin": "rupture_stagiaire",
        "sortie-type_sortie": TypeSortie.objects.get(code="abandon").pk,
    }
    with a("2027-01-10"):
        reponse = client.post(en_cours.get_absolute_url(), donnees)
    page = unescape(reponse.content.decode())
    assert reponse.status_code == 400
    assert "Pour une rupture, précisez les difficultés rencontrées." in page
    assert 'name="confirme"' not in page
    en_cours.refresh_from_db()
    assert en_cours.etat == EtatParcours.EN_COURS


# --- The maintien's contact at one month --------------------------------------------------------

EMBAUCHE = {
    "motif_sortie": "Embauchée en CDI",
    "difficultes": "Aucune",
    "preconisations": "Suivre son intégration",
}


def test_un_contact_le_jour_de_la_sortie_n_est_pas_celui_d_un_mois(demo, en_cours):  # noqa: F811
    """Exit on 30/11/2026: the contact at one month is planned on 30/12 and done when one is
    recorded from 23/12 to 06/01. One on the exit day leaves it to do, and alerts after."""
    alpha2 = demo["alpha2"]
    embauchee(en_cours, alpha2, jour=date(2026, 11, 30), **EMBAUCHE)
    en_cours.refresh_from_db()
    ContactMaintien.objects.create(
        parcours=en_cours, date=date(2026, 11, 30), nature="employeur", par=alpha2
    )
    premier = services.contacts_prevus(en_cours, [date(2026, 11, 30)])[0]
    assert (premier.date, premier.fait) == (date(2026, 12, 30), False)
    with a("2027-01-07"):
        call_command("signaler_contacts_manques")
    assert list(
        Notification.objects.filter(message__startswith="Maintien de KAOUMA").values_list(
            "message", flat=True
        )
    ) == [
        "Maintien de KAOUMA Rose : le contact prévu le 30/12/2026 (1 mois après la sortie) "
        "n'est pas enregistré."
    ]


@pytest.mark.parametrize(
    "jour, fait",
    [
        (date(2026, 12, 22), False),  # 8 days before: too early
        (date(2026, 12, 23), True),  # 7 days before
        (date(2027, 1, 6), True),  # 7 days after
        (date(2027, 1, 7), False),  # too late
    ],
)
def test_le_contact_d_un_mois_a_lieu_a_7_jours_pres(demo, en_cours, jour, fait):  # noqa: F811
    embauchee(en_cours, demo["alpha2"], jour=date(2026, 11, 30), **EMBAUCHE)
    en_cours.refresh_from_db()
    assert [p.fait for p in services.contacts_prevus(en_cours, [jour])] == [fait, False, False]


def test_la_page_dit_quand_faire_chaque_contact(client, demo, en_cours):  # noqa: F811
    embauchee(en_cours, demo["alpha2"], jour=date(2026, 11, 30), **EMBAUCHE)
    client.force_login(demo["alpha2"])
    with a("2026-12-01"):
        page = client.get(en_cours.get_absolute_url()).content.decode()
    assert "le 30/12/2026 (à faire entre le 23/12/2026 et le 06/01/2027)" in page
