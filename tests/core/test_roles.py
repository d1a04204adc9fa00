import io

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command

from programme.core import roles
from programme.core.roles import CORE_TEAM, OFFICE, sync_roles

# The roles as the programme needs them, written out here independently of
# programme/core/roles.py so that a change there has to change this too.
OFFICE_PERMISSIONS = {
    "applications.view_application",
    "applications.vet_application",
    "applications.view_contact_details",
    "core.view_person",
    "core.change_person",
    "core.view_programmesettings",
    "core.change_programmesettings",
    "core.view_auditevent",
    "letters.view_lettertemplate",
    "letters.change_lettertemplate",
    "letters.view_letter",
    "letters.resend_letter",
    "letters.view_letterbatch",
    "letters.approve_letterbatch",
    "vetting.view_enrolment",
    "vetting.view_vettingdecision",
    "matching.view_pairing",
    "matching.end_pairing",
    "matching.view_pairingreview",
    "letters.view_certificate",
    "feedback.view_questionnaire",
    "feedback.change_questionnaire",
    "feedback.view_question",
    "feedback.add_question",
    "feedback.change_question",
    "feedback.delete_question",
    "feedback.view_response",
    "meetings.view_checkin",
    "meetings.resolve_checkin_alert",
}
CORE_TEAM_PERMISSIONS = {
    "applications.view_application",
    "vetting.view_enrolment",
    "matching.view_pairing",
    "matching.propose_pairing",
    "matching.review_pairing",
    "matching.view_pairingreview",
    "feedback.view_response",
    "meetings.view_checkin",
}


def installed(names: set[str]) -> set[str]:
    """The names whose permission exists, so models still being written are left out."""
    return {
        name
        for name in names
        if Permission.objects.filter(
            content_type__app_label=name.split(".")[0], codename=name.split(".")[1]
        ).exists()
    }


def group_permissions(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in group.permissions.select_related("content_type")
    }


def member_of(group_name: str) -> User:
    user = User.objects.create_user(f"member-of-{group_name}", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
def test_roles_exist_after_migrations():
    names = set(Group.objects.values_list("name", flat=True))

    assert {OFFICE, CORE_TEAM} <= names


@pytest.mark.django_db
def test_office_permissions_exact():
    assert group_permissions(OFFICE) == installed(OFFICE_PERMISSIONS)


@pytest.mark.django_db
def test_core_team_permissions_exact():
    assert group_permissions(CORE_TEAM) == installed(CORE_TEAM_PERMISSIONS)


@pytest.mark.django_db
def test_office_can_view_contact_details():
    assert member_of(OFFICE).has_perm("applications.view_contact_details")


@pytest.mark.django_db
def test_core_team_cannot_view_contact_details():
    assert not member_of(CORE_TEAM).has_perm("applications.view_contact_details")


@pytest.mark.django_db
def test_core_team_can_view_applications():
    assert member_of(CORE_TEAM).has_perm("applications.view_application")


@pytest.mark.django_db
def test_core_team_has_no_letters_permission():
    user = member_of(CORE_TEAM)

    assert not user.has_module_perms("letters")


@pytest.mark.django_db
def test_core_team_has_no_person_permission():
    user = member_of(CORE_TEAM)
    person_permissions = {f"core.{action}_person" for action in ("view", "change", "delete")}

    assert {name for name in person_permissions if user.has_perm(name)} == set()


@pytest.mark.django_db
def test_sync_roles_removes_permission_added_by_hand():
    group = Group.objects.get(name=CORE_TEAM)
    group.permissions.add(Permission.objects.get(codename="view_person"))

    sync_roles()

    assert "core.view_person" not in group_permissions(CORE_TEAM)


@pytest.mark.django_db
def test_sync_roles_skips_missing_model(monkeypatch):
    monkeypatch.setitem(
        roles.ROLE_PERMISSIONS,
        CORE_TEAM,
        {"applications": ("view_application",), "nowhere": ("view_thing",)},
    )

    results = {result.group: result for result in sync_roles()}

    assert results[CORE_TEAM].missing == ["nowhere.view_thing"]
    assert results[CORE_TEAM].granted == ["applications.view_application"]
    assert group_permissions(CORE_TEAM) == {"applications.view_application"}


@pytest.mark.django_db
def test_sync_roles_runs_twice_without_change():
    sync_roles()
    before = group_permissions(OFFICE)

    sync_roles()

    assert group_permissions(OFFICE) == before


@pytest.mark.django_db
def test_sync_roles_command_reports_groups():
    out = io.StringIO()

    call_command("sync_roles", stdout=out)

    assert f"{OFFICE}: {len(installed(OFFICE_PERMISSIONS))} permissions set." in out.getvalue()
    assert f"{CORE_TEAM}: {len(installed(CORE_TEAM_PERMISSIONS))} permissions set." in (
        out.getvalue()
    )
