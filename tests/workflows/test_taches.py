"""A service runs a record's step by the step's name (workflows.taches): a name its flow does
not have is a programming error, said at once; a record without a process has no step to do."""

import pytest
from django.core.exceptions import ValidationError

from procurement.models import SessionCommission
from workflows.taches import accomplir, flux_de, noeud


def test_a_step_its_flow_does_not_have_fails_at_once():
    with pytest.raises(LookupError, match="CommissionFlow has no node named 'commande'"):
        noeud(flux_de(SessionCommission), "commande")


def test_a_record_without_a_process_has_no_step_to_do():
    fait = []
    with pytest.raises(ValidationError, match="n'est pas \\(ou plus\\) à accomplir"):
        accomplir(None, "commander", par=None, action=lambda: fait.append(True))
    assert fait == []
