"""SMG rate table (docs/domaine.md, "Stipend"): the rate in force on date D is one function."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from procurement.models import TauxSMG, smg_en_vigueur

# docs/domaine.md's table: in force from, hourly, monthly (169 h).
TABLE = [
    (date(2018, 10, 1), Decimal("926.44"), 156568),
    (date(2022, 5, 1), Decimal("937.46"), 158431),
    (date(2022, 6, 1), Decimal("945.90"), 159857),
    (date(2022, 7, 1), Decimal("955.64"), 161503),
    (date(2022, 10, 1), Decimal("965.10"), 163102),
    (date(2023, 2, 1), Decimal("971.37"), 164162),
    (date(2023, 3, 1), Decimal("976.52"), 165032),
    (date(2024, 8, 1), Decimal("985.42"), 166536),
    (date(2025, 6, 1), Decimal("991.73"), 167602),
]


@pytest.mark.django_db
def test_the_seeded_table_is_domain_md_history_with_an_arrete_each():
    seeded = [
        (t.date_effet, t.taux_horaire, t.montant_mensuel)
        for t in TauxSMG.objects.order_by("date_effet")
    ]
    assert seeded == TABLE
    assert all(t.arrete for t in TauxSMG.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize(("date_effet", "horaire", "mensuel"), TABLE)
def test_smg_in_force_on_each_boundary_of_the_table(date_effet, horaire, mensuel):
    taux = smg_en_vigueur(date_effet)
    assert (taux.date_effet, taux.taux_horaire, taux.montant_mensuel) == (
        date_effet,
        horaire,
        mensuel,
    )
    # The day before, the previous rate still applies.
    veille = smg_en_vigueur(date_effet - timedelta(days=1)) if date_effet != TABLE[0][0] else None
    index = [row[0] for row in TABLE].index(date_effet)
    if veille is not None:
        assert veille.date_effet == TABLE[index - 1][0]


@pytest.mark.django_db
def test_smg_in_force_long_after_the_last_change_is_the_last_rate():
    assert smg_en_vigueur(date(2026, 11, 24)).montant_mensuel == 167602
    assert smg_en_vigueur(date(2024, 2, 29)).date_effet == date(2023, 3, 1)  # leap day


@pytest.mark.django_db
def test_no_smg_before_the_first_rate_is_a_clear_error():
    with pytest.raises(TauxSMG.DoesNotExist, match="30/09/2018"):
        smg_en_vigueur(date(2018, 9, 30))


@pytest.mark.django_db
def test_a_new_smg_rate_starts_on_the_first_day_of_a_month():
    taux = TauxSMG(
        date_effet=date(2026, 7, 15), taux_horaire=Decimal("1000.00"), arrete="Arrêté n° 2026-1"
    )
    with pytest.raises(ValidationError) as error:
        taux.full_clean()
    assert error.value.message_dict["date_effet"] == [
        "Un taux du SMG entre en vigueur le premier jour d'un mois."
    ]


def test_monthly_smg_is_hourly_times_169_rounded_half_up_to_the_franc():
    assert TauxSMG(taux_horaire=Decimal("1000.50")).montant_mensuel == 169085  # 169 084,5 -> up
    assert TauxSMG(taux_horaire=Decimal("926.44")).montant_mensuel == 156568
