"""Tell a user something: a notification on their home page and an e-mail."""

from django.conf import settings
from django.core.mail import send_mail

from .models import Notification


def notifier(destinataire, message: str, lien: str = "") -> Notification:
    notification = Notification.objects.create(
        destinataire=destinataire, message=message, lien=lien
    )
    if destinataire.email:
        corps = message + (f"\n\n{settings.SITE_URL}{lien}" if lien else "")
        send_mail(
            subject=f"[Parcours DEL] {message[:80]}",
            message=corps,
            from_email=None,
            recipient_list=[destinataire.email],
            fail_silently=True,
        )
    return notification
