"""Calendar rules of DOMAIN.md ("All dates are in New Caledonia time")."""

import calendar
from datetime import date


def ajouter_mois(jour: date, mois: int) -> date:
    """The same day `mois` months later, or that month's last day when the day does not exist
    (31 January + 1 month -> 28 or 29 February)."""
    index = jour.month - 1 + mois
    annee, mois_cible = jour.year + index // 12, index % 12 + 1
    dernier_jour = calendar.monthrange(annee, mois_cible)[1]
    return date(annee, mois_cible, min(jour.day, dernier_jour))
