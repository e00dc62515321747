"""Documents the DEL issues (bons de commande, avenants, procès-verbaux), kept as issued.

The bytes live in the database, beside the record they belong to: every application server
sees them, a backup holds them, and re-downloading gives exactly the document that was sent.
"""

import hashlib

from django.db import models


class Document(models.Model):
    nom_fichier = models.CharField("nom du fichier", max_length=150)
    contenu = models.BinaryField("contenu", editable=False)
    empreinte = models.CharField("empreinte SHA-256", max_length=64, editable=False)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "document"

    def __str__(self):
        return self.nom_fichier

    def save(self, *args, **kwargs):
        self.empreinte = hashlib.sha256(bytes(self.contenu)).hexdigest()
        super().save(*args, **kwargs)
