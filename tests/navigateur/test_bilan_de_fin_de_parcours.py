"""In the browser: BETA writes the late bilan of its imported session BETA-2026-A, the
gestionnaire sends it back for completion, BETA completes it, the gestionnaire accepts it
(README, « Bilans et pilotage de démonstration »)."""

from io import StringIO

from django.core.management import call_command

from reporting.models import BilanFinParcours


def test_a_bilan_is_written_returned_completed_and_accepted(navigateur):
    call_command("import_parcours", "demo/historique_parcours.csv", stdout=StringIO())

    navigateur.connecter("beta1")
    navigateur.lien("Bilans de fin de parcours")
    navigateur.lien("BETA-2026-A")
    navigateur.choisir("Atteinte des objectifs de Léa FOUCAULT", "Objectifs atteints")
    navigateur.choisir("Atteinte des objectifs de Patrice GOWE", "Objectifs non atteints")
    navigateur.remplir("Difficultés rencontrées (Patrice GOWE)", "Absences répétées.")
    navigateur.remplir("Préconisations (Patrice GOWE)", "Reprendre un parcours plus court.")
    navigateur.choisir(
        "Atteinte des objectifs de Claudine HNAWIA", "Objectifs partiellement atteints"
    )
    navigateur.remplir("Synthèse de la session", "Session suivie avec assiduité.")
    navigateur.bouton("Enregistrer et transmettre à la DEL")
    assert "Transmis à la DEL" in navigateur.texte()

    navigateur.connecter("gestionnaire1")
    navigateur.lien("Bilans de fin de parcours")
    navigateur.lien("BETA-2026-A")
    navigateur.remplir(
        "Ce que le prestataire doit compléter", "Précisez l'appréciation de Léa FOUCAULT."
    )
    navigateur.bouton("Renvoyer au prestataire")
    assert "Renvoyé pour complément" in navigateur.texte()

    navigateur.connecter("beta1")
    navigateur.lien("Bilans de fin de parcours")
    navigateur.lien("BETA-2026-A")
    assert "Précisez l'appréciation de Léa FOUCAULT." in navigateur.texte()
    navigateur.remplir("Appréciation de Léa FOUCAULT", "Embauchée en CDD à la sortie.")
    navigateur.bouton("Enregistrer et transmettre à la DEL")

    navigateur.connecter("gestionnaire1")
    navigateur.lien("Bilans de fin de parcours")
    navigateur.lien("BETA-2026-A")
    navigateur.bouton("Accepter le bilan")
    assert "Accepté par la DEL" in navigateur.texte()

    bilan = BilanFinParcours.objects.get(bon__numero="BETA-2026-A")
    assert bilan.etat == "accepte"
