"""What the parcours tell the apps downstream of them, which connect their receivers in their
AppConfig.ready(). Sent by prestataires/services.py once the change is saved, and received in
the same transaction: a receiver's failure undoes the whole action."""

from django.dispatch import Signal

# The parcours of one order's session moved (an entry, a suspension, a resumption, an exit, a
# parcours started or cancelled): `bon`, the order, whose session may end on another day.
session_modifiee = Signal()
