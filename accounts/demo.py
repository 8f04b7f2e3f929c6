"""Demo teams and people. Re-runnable: finds what exists, creates what is missing."""

from django.conf import settings

from accounts.models import User
from accounts.roles import Role
from accounts.services import membership_grant, roles_sync, team_create

PEOPLE = [
    # username, first, last, [(team, role)]
    ("admin", "Ada", "Admin", [("Brand", Role.ADMIN), ("Agency", Role.ADMIN)]),
    ("alice", "Alice", "Moreau", [("Brand", Role.QA_MANAGER)]),
    ("ben", "Ben", "Okafor", [("Brand", Role.TEAM_LEAD)]),
    ("cara", "Cara", "Lindqvist", [("Brand", Role.TEAM_LEAD)]),
    ("dan", "Dan", "Reyes", [("Brand", Role.REVIEWER)]),
    ("erin", "Erin", "Walsh", [("Brand", Role.AUDITOR)]),
    ("frank", "Frank", "Novak", [("Agency", Role.REVIEWER)]),
    ("gina", "Gina", "Rossi", [("Agency", Role.TEAM_LEAD)]),
]


def seed(stdout=None) -> dict:
    password = settings.QMS_DEMO_PASSWORD
    teams = {name: team_create(name=name) for name in ("Brand", "Agency")}
    users = {}
    for username, first, last, roles in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.com")
            user.set_password(password)
            user.is_superuser = username == "admin"
            user.save()
        for team_name, role in roles:
            membership_grant(team=teams[team_name], user=user, role=role, by=None)
        users[username] = user
    roles_sync()
    return {"teams": teams, "users": users}
