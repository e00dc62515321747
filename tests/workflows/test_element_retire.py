"""Two users (or two tabs) removing the same person at once: the second is told, in French,
on the page, that it was just done; nothing else changes (docs/domaine.md §9)."""

from django.test import Client

from procurement.enums import EtatSession
from procurement.models import PassageCommission
from workflows.actions import DISPARU


def test_retirer_deux_fois_le_meme_passage_dit_au_second_qu_il_vient_d_etre_retire(demo):
    passage = (
        PassageCommission.objects.filter(session__etat=EtatSession.PREPARATION)
        .select_related("session")
        .first()
    )
    session, autres = passage.session, passage.session.passages.count() - 1
    client = Client()
    client.force_login(demo["gestionnaire1"])
    donnees = {"action": "desinscrire", "passage": passage.pk}
    premier = client.post(session.get_absolute_url(), donnees)
    second = client.post(session.get_absolute_url(), donnees, follow=True)
    assert premier.status_code == 302
    assert second.status_code == 200
    assert DISPARU in [str(m) for m in second.context["messages"]]
    assert session.passages.count() == autres


def test_un_passage_d_une_autre_seance_reste_introuvable(demo):
    """Still a 404 for a record that exists but is not among those of the page."""
    passage = PassageCommission.objects.select_related("session").first()
    autre = PassageCommission.objects.exclude(session=passage.session).first()
    client = Client()
    client.force_login(demo["gestionnaire1"])
    reponse = client.post(
        passage.session.get_absolute_url(), {"action": "desinscrire", "passage": autre.pk}
    )
    assert reponse.status_code == 404
