"""What the orders tell the apps downstream of them (prestataires, reporting), which connect
their receivers in their AppConfig.ready(). Sent by bons_de_commande/services.py once the
change is saved, and received in the same transaction: a receiver's refusal (ValidationError)
undoes the whole action. Receivers run in the order of INSTALLED_APPS: prestataires first."""

from django.dispatch import Signal

# The prestataire acknowledged the order `bon`: `lignes` are the people it launches.
commande_accusee = Signal()
# The prestataire acknowledged `avenant`: `lignes` are the people it adds to its order.
avenant_accuse = Signal()
# A person withdrew before their entry (`ligne`, recorded by `par` for `motif`); a receiver
# refuses it when the person has entered their parcours.
desistement = Signal()
# Asked to close an acknowledged order (and to offer it): each receiver returns how many of the
# order's people it still follows. The order closes when nobody is left.
suivis_en_cours = Signal()
