from django import template

register = template.Library()

ESPACE_FINE = "\u202f"


@register.filter
def francs(montant):
    """12345 -> "12 345 F" (F CFP have no subunit); nothing declared yet -> "—"."""
    if montant is None or montant == "":
        return "—"
    return f"{int(montant):,}".replace(",", ESPACE_FINE) + "\u00a0F"


@register.filter
def ecart(montant):
    """A difference, signed: "+1 200 F", "−300 F", "0 F"."""
    if montant is None:
        return "—"
    signe = "+" if montant > 0 else "−" if montant < 0 else ""
    return signe + francs(abs(montant))
