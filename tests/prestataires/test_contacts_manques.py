"""The contacts a parcours owes (docs/domaine.md): no silent parcours (a running parcours with no
recorded contact for 15 days is flagged to its referent, after 30 days to the conseiller
référent) and the maintien's planned contacts."""

from datetime import date

from django.core.management import call_command

from prestataires import services
from prestataires.models import ContactMaintien, Parcours, RendezVous
from procurement.models import TypeSortie
from tests.prestataires.conftest import a
from workflows.models import Notification


def _messages(username):
    return list(
        Notification.objects.filter(destinataire__username=username).values_list(
            "message", flat=True
        )
    )


def _rendez_vous(parcours, jour, par):
    RendezVous.objects.create(
        parcours=parcours, date=jour, nature="individuel", objet="Point", par=par
    )


def test_silent_parcours_flagged_to_referent_after_15_days_and_conseiller_after_30(demo):
    """WAIA (ALPHA, no chargé assigned: its direction is the referent) is seen on 20/11; the
    other two runners of the session are seen on 01/12 so that only WAIA falls silent."""
    alpha1 = demo["alpha1"]
    waia = Parcours.objects.get(demandeur__nom="WAIA")
    conseiller = waia.ligne.prescription.conseiller.username
    _rendez_vous(waia, date(2026, 11, 20), alpha1)
    for autre in Parcours.objects.filter(demandeur__nom__in=["OUNEMOA", "GOPOEA"]):
        _rendez_vous(autre, date(2026, 12, 1), alpha1)
        _rendez_vous(autre, date(2027, 1, 5), alpha1)

    with a("2026-12-05"):  # 15 days of silence: not yet more than 15
        call_command("signaler_contacts_manques")
    assert not [m for m in _messages("alpha1") if "WAIA" in m]

    with a("2026-12-06"):  # 16 days: the referent is told, the conseiller not yet
        call_command("signaler_contacts_manques")
        call_command("signaler_contacts_manques")  # once per silence
    assert [m for m in _messages("alpha1") if "WAIA" in m] == [
        "Aucun contact avec WAIA Mathieu depuis le 20/11/2026 : reprenez contact."
    ]
    assert not [m for m in _messages(conseiller) if "WAIA" in m]
    assert not _messages("beta1")

    with a("2026-12-21"):  # 31 days: the conseiller référent is told, once
        call_command("signaler_contacts_manques")
        call_command("signaler_contacts_manques")
    assert [m for m in _messages(conseiller) if "WAIA" in m] == [
        "Le parcours de WAIA Mathieu chez Alpha Insertion SARL (ALPHA) est sans contact "
        "depuis le 20/11/2026."
    ]
    assert len([m for m in _messages("alpha1") if "WAIA" in m]) == 1

    # A new contact ends the silence; a new silence is flagged again.
    _rendez_vous(waia, date(2026, 12, 22), alpha1)
    with a("2027-01-06"):
        call_command("signaler_contacts_manques")
    assert len([m for m in _messages("alpha1") if "WAIA" in m]) == 1
    with a("2027-01-07"):
        call_command("signaler_contacts_manques")
    assert len([m for m in _messages("alpha1") if "WAIA" in m]) == 2


def test_silent_parcours_on_the_dashboard_with_days_beyond_15(demo, client):
    waia = Parcours.objects.get(demandeur__nom="WAIA")
    _rendez_vous(waia, date(2026, 11, 20), demo["alpha1"])
    client.force_login(demo["gestionnaire1"])
    with a("2026-12-10"):
        page = client.get("/pilotage/").content.decode()
    # 20 days without contact: 5 days beyond the 15 allowed.
    assert "dernier contact le 20/11/2026 : à signaler au référent" in page
    client.force_login(demo["beta1"])
    with a("2026-12-10"):
        assert "WAIA" not in client.get("/pilotage/").content.decode()


def test_maintien_contacts_planned_at_1_2_3_months_alert_after_7_days(demo, client):
    """docs/domaine.md step 8: contacts planned one, two and three months after the exit (an exit on
    30 November plans 30/12, 30/01 and 28/02); one not recorded within 7 days of its date
    alerts the referent, once."""
    alpha1 = demo["alpha1"]
    waia = Parcours.objects.get(demandeur__nom="WAIA")
    with a("2026-11-30"):
        services.sortir(
            waia,
            par=alpha1,
            date_sortie=date(2026, 11, 30),
            type_fin="anticipee",
            type_sortie=TypeSortie.objects.get(code="cdi"),
            motif_sortie="Embauché en CDI",
            difficultes="Aucune",
            preconisations="Suivre l'intégration",
        )
    waia.refresh_from_db()
    prevus = services.contacts_prevus(waia, [])
    assert [p.date for p in prevus] == [date(2026, 12, 30), date(2027, 1, 30), date(2027, 2, 28)]

    ContactMaintien.objects.create(
        parcours=waia, date=date(2027, 1, 5), nature="regulation", compte_rendu="RAS", par=alpha1
    )

    def alertes():
        return [m for m in _messages("alpha1") if m.startswith("Maintien de WAIA")]

    with a("2027-02-06"):  # 30/01 + 7 days: still in time
        call_command("signaler_contacts_manques")
    assert alertes() == []
    with a("2027-02-07"):
        call_command("signaler_contacts_manques")
        call_command("signaler_contacts_manques")
    assert alertes() == [
        "Maintien de WAIA Mathieu : le contact prévu le 30/01/2027 (2 mois après la sortie) "
        "n'est pas enregistré."
    ]
    assert not [m for m in _messages("beta1") if "WAIA" in m]

    client.force_login(alpha1)
    with a("2027-02-07"):
        page = client.get(waia.get_absolute_url()).content.decode()
    assert "le 30/12/2026 (fait)" in page
    assert 'le 30/01/2027 (<span class="del-retard">non enregistré dans les 7 jours</span>)' in page
    assert "le 28/02/2027 (à faire entre le 21/02/2027 et le 07/03/2027)" in page
