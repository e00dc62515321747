"""Calendar rules of docs/domaine.md ("All dates are in New Caledonia time")."""

import calendar
from datetime import date, datetime, time

from django.utils import timezone


def ajouter_mois(jour: date, mois: int) -> date:
    """The same day `mois` months later, or that month's last day when the day does not exist
    (31 January + 1 month -> 28 or 29 February)."""
    index = jour.month - 1 + mois
    annee, mois_cible = jour.year + index // 12, index % 12 + 1
    dernier_jour = calendar.monthrange(annee, mois_cible)[1]
    return date(annee, mois_cible, min(jour.day, dernier_jour))


def dernier_jour_du_mois(jour: date) -> date:
    return jour.replace(day=calendar.monthrange(jour.year, jour.month)[1])


def mois_de(jour: date) -> date:
    """The month holding `jour`, as its first day (months are stored that way)."""
    return jour.replace(day=1)


def mois_entre(debut: date, fin: date) -> list[date]:
    """The months from `debut`'s to `fin`'s, both included, as their first days."""
    mois, dernier, resultat = mois_de(debut), mois_de(fin), []
    while mois <= dernier:
        resultat.append(mois)
        mois = ajouter_mois(mois, 1)
    return resultat


def lire_mois(texte: str) -> date:
    """ "2026-10" -> 1 October 2026 (months are typed and passed as YYYY-MM); ValueError
    otherwise."""
    return datetime.strptime(texte, "%Y-%m").date()


def a_minuit(jour: date) -> datetime:
    """The first moment of `jour`, Nouméa time: when a day's deadline is over."""
    return datetime.combine(jour, time.min, tzinfo=timezone.get_current_timezone())
