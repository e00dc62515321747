"""In the browser: ALPHA declares October, finance sends OUNEMOA's line back, ALPHA pays the
difference and submits again, finance accepts (README, « Rémunérations de démonstration »)."""

from remunerations.enums import EtatDeclaration
from remunerations.models import EtatRemuneration


def test_an_etat_is_declared_returned_corrected_and_accepted(navigateur):
    # ALPHA submits October as declared (OUNEMOA was paid 1 000 F short).
    navigateur.connecter("alpha1")
    navigateur.lien("Rémunération des stagiaires")
    navigateur.lien("Octobre 2026")
    navigateur.bouton("Enregistrer et soumettre à la finance")
    assert "Soumis à la finance" in navigateur.texte()

    # Finance reads the gap and sends the line back with a comment.
    navigateur.connecter("finance1")
    navigateur.lien("Rémunération des stagiaires")
    navigateur.lien("Octobre 2026")
    navigateur.remplir("Commentaire : Cindy OUNEMOA", "Il manque 1 000 F : versez le complément.")
    navigateur.bouton("Renvoyer avec les commentaires")
    assert "Renvoyé pour correction" in navigateur.texte()

    # ALPHA reads the comment, corrects the amount and submits again.
    navigateur.connecter("alpha1")
    navigateur.lien("Rémunération des stagiaires")
    navigateur.lien("Octobre 2026")
    assert "Il manque 1 000 F" in navigateur.texte()
    navigateur.remplir("Montant versé : Cindy OUNEMOA", "83801")
    navigateur.bouton("Enregistrer et soumettre à la finance")

    # Finance accepts: the month is reconciled.
    navigateur.connecter("finance1")
    navigateur.lien("Rémunération des stagiaires")
    navigateur.lien("Octobre 2026")
    navigateur.bouton("Accepter : le mois est rapproché")
    assert "Accepté : mois rapproché" in navigateur.texte()

    etat = EtatRemuneration.objects.get(prestataire__code="ALPHA", mois__month=10)
    assert etat.etat == EtatDeclaration.ACCEPTE
    assert etat.lignes.get(parcours__demandeur__nom="OUNEMOA").montant_declare == 83801
