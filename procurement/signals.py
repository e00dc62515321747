"""What the commission tells the apps downstream of it, which connect their receivers in their
AppConfig.ready(). Sent by procurement/services.py once the change is saved, and received in
the same transaction: a receiver's refusal (ValidationError) undoes the whole action."""

from django.dispatch import Signal

# A sitting was closed, every prescription decided (`session`, closed by `par`): what the
# commission validated is to be ordered.
seance_cloturee = Signal()
