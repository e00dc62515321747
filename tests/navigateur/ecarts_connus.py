"""The pages' defects found by the journeys and already reported (issue 18, items 6 and 9):
(kind of page, rule). A journey fails on any other; remove a line when its page is fixed."""

ECARTS_CONNUS: set[tuple[str, str]] = {
    ("/accueil/", "largeur"),  # up to 680 px wide at 390 px
    ("/bilans/", "largeur"),  # up to 719 px wide at 390 px
    ("/bilans/<n>/", "largeur"),  # up to 735 px wide at 390 px
    ("/commandes/", "largeur"),  # up to 629 px wide at 390 px
    ("/commandes/<n>/", "largeur"),  # up to 923 px wide at 390 px
    ("/demandeurs/", "largeur"),  # up to 446 px wide at 390 px
    ("/demandeurs/<n>/", "largeur"),  # up to 576 px wide at 390 px
    ("/demandeurs/nouveau/", "largeur"),  # up to 524 px wide at 390 px
    ("/exports/", "largeur"),  # up to 418 px wide at 390 px
    ("/imports/", "largeur"),  # up to 889 px wide at 390 px
    ("/indicateurs/", "largeur"),  # up to 532 px wide at 390 px
    ("/parcours/", "largeur"),  # up to 993 px wide at 390 px
    ("/parcours/<n>/", "largeur"),  # up to 666 px wide at 390 px
    ("/parcours/stages/<n>/", "largeur"),  # up to 424 px wide at 390 px
    ("/prescription/<n>/cosigner/<n>/execute/", "largeur"),  # up to 450 px wide at 390 px
    ("/prescription/prescrire/", "largeur"),  # up to 504 px wide at 390 px
    ("/prescriptions/<n>/", "largeur"),  # up to 706 px wide at 390 px
    ("/remunerations/", "largeur"),  # up to 836 px wide at 390 px
    ("/remunerations/<n>/", "largeur"),  # up to 617 px wide at 390 px (gestionnaire1)
    ("/seances/", "largeur"),  # up to 652 px wide at 390 px
    ("/seances/<n>/", "largeur"),  # up to 928 px wide at 390 px
    ("/travaux/<n>/", "largeur"),  # up to 823 px wide at 390 px
}
