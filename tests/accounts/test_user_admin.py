"""Prestataire users belong to one prestataire organisation and hold no DEL role."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from accounts.admin import UserAdmin
from accounts.models import User
from accounts.roles import Role
from tests.factories import PrestataireFactory

pytestmark = pytest.mark.django_db


def form(**data):
    """The administrateur's change form of a user, as the admin builds it."""
    user = User.objects.create(username="nouveau")
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True)
    form_class = UserAdmin(User, admin.site).get_form(request, obj=user)
    base = {"username": "nouveau", "date_joined_0": "24/11/2026", "date_joined_1": "09:00:00"}
    return form_class(data={**base, **data}, instance=user)


def group(role):
    return Group.objects.get(name=role.value).pk


def test_a_prestataire_role_needs_the_prestataire_organisation():
    f = form(groups=[group(Role.PRESTATAIRE_CHARGE)])
    assert not f.is_valid()
    assert f.errors["prestataire"] == ["Un utilisateur de prestataire doit avoir son organisation."]


def test_a_prestataire_user_cannot_hold_a_del_role():
    f = form(groups=[group(Role.CONSEILLER)], prestataire=PrestataireFactory(code="ALPHA").pk)
    assert not f.is_valid()
    assert f.errors["groups"] == [
        "Un utilisateur de prestataire ne peut pas avoir de rôle de la DEL."
    ]


def test_a_prestataire_user_with_its_organisation_is_valid():
    f = form(
        groups=[group(Role.PRESTATAIRE_CHARGE)], prestataire=PrestataireFactory(code="ALPHA").pk
    )
    assert f.is_valid(), f.errors
