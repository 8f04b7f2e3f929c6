"""Content audits draw their sample through post_reviews' sampling service and show the lot's verdict."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits import services
from audits.workflow import Status
from core.exceptions import ValidationError
from post_reviews.models import SamplingLot
from post_reviews.services.posts import PostInput, post_upsert

from .conftest import audit_at

pytestmark = pytest.mark.django_db


def _published_posts(people, account, n=12):
    when = timezone.now() - timedelta(days=3)
    for i in range(n):
        post_upsert(
            account_id=account.pk,
            data=PostInput(external_id=f"p{i}", text=f"Post {i}", status="published", published_at=when),
            source="manual",
            by=people.qa,
        )


def test_a_content_audit_draws_one_lot_and_shows_its_verdict(people, client_for, programme):
    from post_reviews.services.posts import account_create

    account = account_create(team_id=people.team_a.pk, platform="x", handle="brand", by=people.qa)
    _published_posts(people, account)
    today = timezone.localdate()
    audit = audit_at(
        people,
        programme,
        Status.IN_PROGRESS,
        audit_type="content",
        account=account.pk,
        period_start=today - timedelta(days=7),
        period_end=today,
    )
    services.audit_sample_draw(audit_id=audit.pk, seed=42, by=people.auditor)
    services.audit_sample_draw(audit_id=audit.pk, seed=43, by=people.auditor)
    audit.refresh_from_db()
    lot = SamplingLot.objects.get()
    assert audit.sampling_lot == lot and lot.seed == 42 and lot.account == account
    page = client_for(people.auditor).get(audit.get_absolute_url()).content.decode()
    assert 'data-testid="lot-verdict"' in page and lot.get_status_display() in page


def test_a_process_audit_draws_no_sample(people, programme):
    audit = audit_at(people, programme, Status.IN_PROGRESS)
    with pytest.raises(ValidationError):
        services.audit_sample_draw(audit_id=audit.pk, by=people.auditor)
