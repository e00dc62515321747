from django import template

register = template.Library()

ESPACE_FINE = "\u202f"
ESPACE_INSECABLE = "\u00a0"
# One way everywhere, screens, PDFs and e-mails: "167 602 F CFP" (issue 18, item 10).
UNITE = f"{ESPACE_INSECABLE}F{ESPACE_INSECABLE}CFP"


@register.filter
def francs(montant):
    """12345 -> "12 345 F CFP" (F CFP have no subunit); nothing declared yet -> "—"."""
    if montant is None or montant == "":
        return "—"
    return f"{int(montant):,}".replace(",", ESPACE_FINE) + UNITE


@register.filter
def ecart(montant):
    """A difference, signed: "+1 200 F CFP", "−300 F CFP", "0 F CFP"."""
    if montant is None:
        return "—"
    signe = "+" if montant > 0 else "−" if montant < 0 else ""
    return signe + francs(abs(montant))
