from django.urls import path

from . import views

urlpatterns = [
    path("deux-facteurs/", views.verifier, name="deux_facteurs_verifier"),
    path("deux-facteurs/enrolement/", views.enroler, name="deux_facteurs_enroler"),
    path("deux-facteurs/codes-de-secours/", views.codes_de_secours, name="deux_facteurs_codes"),
]
