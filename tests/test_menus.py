"""The site's menu: each role reads what it does, grouped under French headings, and never a
page its views would refuse; the processes' technical pages (viewflow's lists, charts, inbox)
only for those who supervise them (issue 18, item 7)."""

import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import PrestataireFactory, UserFactory

MON_ESPACE = ("Mon espace", ["Accueil", "Mes travaux"])
PRESCRIPTIONS = (
    "Prescriptions et commission",
    ["Demandeurs d'emploi", "Prescriptions", "Commission interne"],
)
PARCOURS_DEL = (
    "Commandes et parcours",
    ["Bons de commande", "Parcours", "Modules collectifs", "Entreprises d'accueil"],
)
PROCESSUS = [
    "Processus des prescriptions", "Processus des commissions", "Processus des avenants",
    "Processus des parcours",
]  # fmt: skip

MENUS = {
    Role.CONSEILLER: [MON_ESPACE, PRESCRIPTIONS, PARCOURS_DEL],
    Role.TRAVAILLEUR_SOCIAL: [MON_ESPACE, PRESCRIPTIONS, PARCOURS_DEL],
    Role.COMMISSION: [MON_ESPACE, PRESCRIPTIONS, PARCOURS_DEL],
    Role.GESTIONNAIRE: [
        MON_ESPACE,
        PRESCRIPTIONS,
        ("Commandes et parcours", [*PARCOURS_DEL[1], "Bilans de fin de parcours"]),
        ("Rémunération", ["Rémunération des stagiaires"]),
        ("Pilotage", ["Tableau de bord", "Indicateurs", "Bilans annuels"]),
        ("Données", ["Exports", "Journal des exports", "Import de l'historique"]),
        ("Suivi des processus", [
            *PROCESSUS, "Processus des rémunérations", "Processus des bilans",
        ]),
    ],
    Role.FINANCE: [MON_ESPACE, ("Rémunération", ["Rémunération des stagiaires"])],
    Role.ADMINISTRATEUR: [
        MON_ESPACE,
        PRESCRIPTIONS,
        PARCOURS_DEL,
        ("Données", ["Journal des exports", "Import de l'historique"]),
        ("Suivi des processus", PROCESSUS),
    ],
    Role.PRESTATAIRE_DIRECTION: [
        MON_ESPACE,
        ("Commandes et parcours", [*PARCOURS_DEL[1], "Bilans de fin de parcours"]),
        ("Rémunération", ["Rémunération des stagiaires"]),
        ("Pilotage", ["Tableau de bord", "Indicateurs", "Bilans annuels"]),
        ("Données", ["Exports"]),
    ],
    Role.PRESTATAIRE_CHARGE: [
        MON_ESPACE,
        PARCOURS_DEL,
    ],
}  # fmt: skip

MENU = re.compile(
    r'<vf-page-menu-navigation class="mdc-list del-menu">(.*?)</vf-page-menu-navigation>', re.S
)
TITRE_OU_ENTREE = re.compile(
    r'<h2 class="[^"]*del-menu__titre">([^<]*)</h2>'
    r'|<a [^>]*href="([^"]*)"[^>]*>\s*<span class="mdc-list-item__start"[^>]*>.*?</span>\s*'
    r'<span class="mdc-list-item__content">([^<]*)</span>',
    re.S,
)  # fmt: skip


def menu_de(page):
    """The menu of a page: [(heading, [(entry, address), ...]), ...]."""
    groupes = []
    for titre, adresse, entree in TITRE_OU_ENTREE.findall(MENU.search(page).group(1)):
        if titre:
            groupes.append((titre, []))
        else:
            groupes[-1][1].append((entree.replace("&#x27;", "'"), adresse))
    return groupes


def utilisateur(role):
    prestataire = (
        PrestataireFactory()
        if role in (Role.PRESTATAIRE_DIRECTION, Role.PRESTATAIRE_CHARGE)
        else None
    )
    return UserFactory(role=role, prestataire=prestataire)


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_reads_its_own_menu_grouped_under_french_headings(client, db, role):
    client.force_login(utilisateur(role))

    menu = menu_de(client.get(reverse("travaux:index")).content.decode())

    assert [(titre, [nom for nom, _ in entrees]) for titre, entrees in menu] == MENUS[role]


@pytest.mark.parametrize("role", list(MENUS))
def test_every_entry_of_a_menu_opens_for_its_user(client, db, role):
    client.force_login(utilisateur(role))

    menu = menu_de(client.get(reverse("travaux:index")).content.decode())

    adresses = [adresse for _, entrees in menu for _, adresse in entrees]
    assert len(set(adresses)) == len(adresses), adresses
    assert [a for a in adresses if client.get(a).status_code != 200] == []


def test_a_process_page_opened_from_a_task_shows_its_own_menu_to_its_supervisors_only(client, db):
    """A conseiller reaches a prescription's process through his task: no inbox, queue nor
    archive of the process beside it, which the gestionnaire uses to supervise."""
    boite = reverse("prescription:inbox")

    client.force_login(UserFactory(role=Role.CONSEILLER))
    page_du_conseiller = client.get(reverse("prescription:process_list"))
    client.force_login(UserFactory(role=Role.GESTIONNAIRE))
    page_du_gestionnaire = client.get(reverse("prescription:process_list"))

    assert page_du_conseiller.status_code == page_du_gestionnaire.status_code == 200
    assert f'href="{boite}"' not in page_du_conseiller.content.decode()
    assert f'href="{boite}"' in page_du_gestionnaire.content.decode()


def test_the_menu_costs_the_same_queries_for_the_longest_menu(
    client, db, django_assert_max_num_queries
):
    """The gestionnaire's menu (22 entries) reads the user's permissions once, not per entry."""
    client.force_login(UserFactory(role=Role.GESTIONNAIRE))

    with django_assert_max_num_queries(6):
        client.get(reverse("travaux:index"))
