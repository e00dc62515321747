from django.urls import reverse

from procurement.enums import EtatPrescription


def test_prescription_list_filters_and_stays_constant_in_queries(
    client, demo, django_assert_max_num_queries
):
    client.force_login(demo["gestionnaire1"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("prescriptions:index"))
    assert len(response.context["object_list"]) == 16  # every demo prescription

    response = client.get(
        reverse("prescriptions:index"), {"etat": EtatPrescription.SOUMISE, "lot": "1"}
    )
    assert {p.demandeur.nom for p in response.context["object_list"]} == {"DUPONT", "HMAE"}


def test_a_travailleur_social_sees_first_the_binome_prescriptions(client, demo):
    client.force_login(demo["ts1"])
    response = client.get(reverse("prescriptions:index"))
    assert {p.demandeur.nom for p in response.context["object_list"]} == {
        "WAMYTAN",
        "HMAE",
        "POITHILY",
    }
