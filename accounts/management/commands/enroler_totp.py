"""Give users a TOTP key created on the server, for when the enrolment page cannot be used
(a key handed over out of band; the production smoke test logs in with it)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.deux_facteurs import cle_en_base32, enroler_sans_qr_code


class Command(BaseCommand):
    help = (
        "Crée pour chaque utilisateur une clé TOTP confirmée (elle remplace son application) "
        "et imprime « identifiant clé-en-base32 » : à remettre à l'utilisateur par un canal sûr."
    )

    def add_arguments(self, parser):
        parser.add_argument("identifiants", nargs="+")

    def handle(self, *args, identifiants, **options):
        utilisateurs = {
            u.username: u for u in get_user_model().objects.filter(username__in=identifiants)
        }
        inconnus = [nom for nom in identifiants if nom not in utilisateurs]
        if inconnus:
            raise CommandError(f"Utilisateur inconnu : {', '.join(inconnus)}.")
        for nom in identifiants:
            appareil = enroler_sans_qr_code(utilisateurs[nom])
            self.stdout.write(f"{nom} {cle_en_base32(appareil)}")
