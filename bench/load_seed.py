"""The people, documents and audit the load test (bench/load.py) works with, on top of seed_scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_load \\
      .venv/bin/python manage.py seed_scale --posts 1000000 --reviews 1000000
    DATABASE_URL=... DJANGO_MEDIA_ROOT=var/stack/media .venv/bin/python bench/load_seed.py

In the seed_scale team "Scale": reviewers, team leads, readers, API clients, dashboard viewers
and one QA manager ("load-ops") who imports and exports, all with the password LOAD_PASSWORD;
SOP revisions waiting for the leads' approval (each a real revision of an effective version, so
the diff has work to do); SOPs in force that every load user is asked to acknowledge; an audit
whose answer carries attachments of random bytes under the stack's media root, for the evidence
pack; then the metrics rollup beat runs every 15 minutes. Documents go through document
control's own services; users and attachments are written in bulk. Safe to run again: it tops
up what a previous load run used (approved revisions, acknowledgements).
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from common import setup

LOAD_PASSWORD = "load-Test-pass-2026"  # noqa: S105 - bench-only accounts on a loopback database
PREFIX = "load"
# Role of each load user group and how many of each (bench/load.py uses the same names).
GROUPS = {"reviewer": ("reviewer", 30), "lead": ("team_lead", 8), "reader": ("viewer", 15), "api": ("qa_manager", 10)}
GROUPS["dash"] = ("viewer", 10)
OPS = f"{PREFIX}-ops"
SIGNER = f"{PREFIX}-signer"  # approves the seed's own first issues; never logs in
AUDIT_REF = "LOAD-PACK"

SOP_BODY = """# {number}: {title}

## 1. Purpose

This procedure describes how the social media team {verb} posts before and after publication so
that every post meets the brand guide, the advertising disclosure rules and the platform terms.

## 2. Scope

It applies to every account the team runs on Instagram, X, LinkedIn and TikTok, to paid and
organic posts, and to posts written by agencies on the team's behalf.

## 3. Responsibilities

- The **author** drafts the post, adds alt text to every image and marks paid partnerships.
- The **reviewer** works the review checklist and records pass or fail with defects.
- The **team lead** approves campaigns and answers escalations within {hours} hours.

## 4. Procedure

{steps}

## 5. Records

Review records are kept for {years} years. Nonconformities are raised for every critical defect.
"""


def _body(number: str, title: str, revision: int) -> str:
    note = " and note it in the review"
    steps = "\n".join(
        f"{i}. Step {i}: check the {thing} of the post{note if (i + revision) % 3 == 0 else ''}."
        for i, thing in enumerate(
            ["text", "links", "disclosure", "image", "alt text", "tone", "claims", "hashtags", "mentions", "schedule"]
            * 2,
            start=1,
        )
        if (i + revision) % 7 != 0
    )
    return SOP_BODY.format(
        number=number,
        title=title,
        verb="checks" if revision == 0 else "reviews and signs off",
        hours=24 if revision == 0 else 8,
        years=3 + revision,
        steps=steps,
    )


def _users(team, password_hash, groups):
    from accounts.models import User
    from accounts.services import membership_grant

    wanted = [(f"{PREFIX}-{g}-{i:02d}", GROUPS[g][0]) for g in groups for i in range(1, GROUPS[g][1] + 1)]
    if "lead" in groups:
        wanted.append((OPS, "qa_manager"))
    have = set(User.objects.filter(username__in=[u for u, _ in wanted]).values_list("username", flat=True))
    User.objects.bulk_create(
        [
            User(username=u, first_name=u.split("-")[1].title(), last_name=u.rsplit("-", 1)[1], password=password_hash)
            for u, _ in wanted
            if u not in have
        ]
    )
    User.objects.filter(username__in=[u for u, _ in wanted]).update(password=password_hash)
    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _ in wanted])}
    for username, role in wanted:
        membership_grant(team=team, user=users[username], role=role, by=None)
    return users


def _signer(team):
    """A team lead with a cheap (MD5) hash, only in this process, for the seed's own approvals."""
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from accounts.services import membership_grant

    signer, _ = User.objects.get_or_create(username=SIGNER, defaults={"first_name": "Seed", "last_name": "Signer"})
    signer.password = make_password("seed", hasher="md5")
    signer.save(update_fields=["password"])
    membership_grant(team=team, user=signer, role="team_lead", by=None)
    return signer


def _issue(team, author, signer, number: str, title: str):
    """A document whose first version is in force (approved by the seed signer)."""
    from docs_control import services as docs

    body = _body(number, title, 0)
    document = docs.document_create(team_id=team.pk, number=number, title=title, body=body, by=author)
    first = document.versions.get()
    docs.version_submit(version_id=first.pk, by=author, approver_ids=[signer.pk])
    docs.version_approve(version_id=first.pk, by=signer, password="seed")  # noqa: S106 - the MD5 signer above
    return document


def _pending_revisions(team, author, signer, leads, count: int) -> None:
    """``count`` documents with a revision in review, every load lead an approver (one suffices)."""
    from docs_control import services as docs
    from docs_control.models import Document, DocumentVersion

    pending = DocumentVersion.objects.filter(
        document__team=team, document__number__startswith="LOAD-REV-", status="in_review"
    ).count()
    existing = Document.objects.filter(team=team, number__startswith="LOAD-REV-").count()
    for i in range(existing + 1, existing + 1 + max(0, count - pending)):
        number = f"LOAD-REV-{i:04d}"
        document = _issue(team, author, signer, number, f"Post review procedure {i}")
        draft = docs.version_create_draft(document_id=document.pk, by=author, change_summary="Tighter escalation")
        docs.version_update_draft(
            version_id=draft.pk,
            by=author,
            body=_body(number, document.title, 1),
            change_summary="Escalations within 8 hours; records kept 4 years",
            lock_version=draft.lock_version,
        )
        docs.version_submit(version_id=draft.pk, by=author, approver_ids=[u.pk for u in leads])
    print(f"revisions in review: {max(pending, count)}")


def _to_acknowledge(team, author, signer, count: int) -> None:
    """SOPs in force that each load user still has to acknowledge; new ones once a run used them."""
    from docs_control.models import Acknowledgement, Document

    open_acks = Acknowledgement.objects.filter(
        version__document__team=team,
        version__document__number__startswith="LOAD-ACK-",
        user__username__startswith=f"{PREFIX}-reader-",
        acknowledged_at__isnull=True,
    ).count()
    readers = GROUPS["reader"][1]
    missing = max(0, count - open_acks // readers)
    existing = Document.objects.filter(team=team, number__startswith="LOAD-ACK-").count()
    for i in range(existing + 1, existing + 1 + missing):
        _issue(team, author, signer, f"LOAD-ACK-{i:04d}", f"Disclosure rules {i}")
    print(f"SOPs to acknowledge per reader: about {open_acks // readers + missing}")


def _audit(team, ops, files: int, size: int) -> None:
    """An audit in reporting with ``files`` attachments of ``size`` random bytes (like photos)."""
    from django.conf import settings
    from django.utils import timezone

    from audits.models import Answer, Audit, AuditProgramme, AuditQuestion, Evidence
    from core.models import Attachment

    if Audit.objects.filter(reference=AUDIT_REF).exists():
        print("audit for the pack: present")
        return
    programme, _ = AuditProgramme.objects.get_or_create(
        team=team, year=2026, defaults={"objectives": "-", "owner": ops}
    )
    audit = Audit.objects.create(
        reference=AUDIT_REF,
        programme=programme,
        team=team,
        title="Load test audit (evidence pack)",
        audit_type="process",
        status="reporting",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        lead_auditor=ops,
        planned_start=date(2026, 4, 1),
        planned_end=date(2026, 4, 2),
    )
    audit.audited_teams.set([team])
    question = AuditQuestion.objects.create(audit=audit, order=1, text="Evidence of reviews?", source="new")
    answer = Answer.objects.create(question=question, audit=audit, value="conforming", answered_by=ops)
    folder = Path(settings.MEDIA_ROOT) / "load" / AUDIT_REF
    folder.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    rows = []
    for i in range(files):
        name = f"load/{AUDIT_REF}/photo-{i:05d}.jpg"
        (Path(settings.MEDIA_ROOT) / name).write_bytes(os.urandom(size))
        rows.append(
            Attachment(
                team=team,
                file=name,
                original_name=f"photo {i}.jpg",
                extension=".jpg",
                size=size,
                content_type="image/jpeg",
                sha256="0" * 64,
                uploaded_by=ops,
                created_at=now,
            )
        )
    attachments = Attachment.objects.bulk_create(rows, batch_size=2000)
    Evidence.objects.bulk_create(
        [Evidence(audit=audit, answer=answer, attachment=a, added_by=ops, added_at=now) for a in attachments]
    )
    print(f"audit for the pack: {files} attachments of {size // 1024} KiB under {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--revisions", type=int, default=250, help="revisions waiting for approval")
    parser.add_argument("--acknowledge", type=int, default=20, help="SOPs each reader still has to acknowledge")
    parser.add_argument("--pack-files", type=int, default=300)
    parser.add_argument("--pack-file-kb", type=int, default=256)
    args = parser.parse_args()
    setup()
    from django.contrib.auth.hashers import make_password
    from django.test.utils import override_settings

    from accounts.models import Team, User

    team = Team.objects.filter(name="Scale").first()
    if team is None:
        sys.exit("Run `manage.py seed_scale` first (team Scale).")
    author = User.objects.get(username="scale-qa")
    hashers = ["django.contrib.auth.hashers.PBKDF2PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=hashers):
        signer = _signer(team)
        password_hash = make_password(LOAD_PASSWORD)
        # The leads first: the revisions' first issues then ask only them to acknowledge (fewer
        # rows and emails); everyone else joins before the SOPs they are to acknowledge.
        users = _users(team, password_hash, ["lead"])
        leads = [u for name, u in sorted(users.items()) if name.startswith(f"{PREFIX}-lead-")]
        _pending_revisions(team, author, signer, leads, args.revisions)
        users.update(_users(team, password_hash, [g for g in GROUPS if g != "lead"]))
        _to_acknowledge(team, author, signer, args.acknowledge)
        signer.set_unusable_password()
        signer.save(update_fields=["password"])
    _audit(team, users[OPS], args.pack_files, args.pack_file_kb * 1024)
    # The dashboard's figures, as beat's 15-minute rollup leaves them on a live system.
    from metrics.services import rollup_metrics

    started = time.perf_counter()
    rollup_metrics()
    print(f"metrics rollup: {time.perf_counter() - started:.0f} s")
    print(f"{len(users)} load users, password {LOAD_PASSWORD!r}")


if __name__ == "__main__":
    main()
