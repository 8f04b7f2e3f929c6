"""What a post is as it arrives (``PostInput``) and the hash of its reviewed content."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring  # type: ignore[attr-defined]

from post_reviews.workflow import ENGAGEMENT_COUNTERS, PostStatus

MEDIA_TYPES = ("image", "video", "gif")
POST_STATUSES = frozenset(PostStatus.values)
MAX_COUNTER = 2**63 - 1  # a bigint


def engagement_errors(values: dict) -> dict[str, str]:
    """A message per engagement counter that is neither None nor a whole number from 0."""
    errors = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors[key] = f"{key} must be a whole number (or empty when the platform doesn't report it)."
        elif not 0 <= value <= MAX_COUNTER:
            errors[key] = f"{key} must be between 0 and {MAX_COUNTER}."
    return errors


@dataclass
class PostInput:
    """One post as it arrives from a form, the API or an import row, already parsed."""

    external_id: str
    text: str
    url: str = ""
    media: list[dict] = field(default_factory=list)
    campaign: str = ""
    sponsored: bool = False
    status: str = PostStatus.PUBLISHED
    scheduled_at: datetime | None = None
    published_at: datetime | None = None
    author_name: str = ""
    # Engagement (ENGAGEMENT_COUNTERS): None means "not stated", which leaves a stored value as it is.
    impressions: int | None = None
    reach: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    video_views: int | None = None

    def engagement(self) -> dict[str, int]:
        """The engagement counters this input states."""
        return {k: v for k in ENGAGEMENT_COUNTERS if (v := getattr(self, k)) is not None}

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = engagement_errors({k: getattr(self, k) for k in ENGAGEMENT_COUNTERS})
        if not self.external_id.strip():
            errors["external_id"] = "An external id is required (the platform's post id or your own)."
        elif len(self.external_id) > 100:
            errors["external_id"] = "The external id is longer than 100 characters."
        if not self.text.strip():
            errors["text"] = "The post has no text."
        if self.status not in POST_STATUSES:
            errors["status"] = f"Status must be one of {', '.join(PostStatus.values)}."
        if len(self.url) > 500:
            errors["url"] = "The URL is longer than 500 characters."
        for i, m in enumerate(self.media, start=1):
            if not isinstance(m, dict) or m.get("type") not in MEDIA_TYPES:
                errors["media"] = f"Media {i}: type must be one of {', '.join(MEDIA_TYPES)}."
                break
        if len(self.campaign) > 120:
            errors["campaign"] = "The campaign is longer than 120 characters."
        # PostgreSQL refuses NUL in text and in jsonb: a row carrying one must be refused, not crash the batch.
        texts = [self.external_id, self.text, self.url, self.campaign, self.author_name]
        texts += [str(v) for m in self.media if isinstance(m, dict) for v in m.values()]
        if any("\x00" in t for t in texts):
            errors["text"] = "The post contains a NUL character."
        else:
            try:  # JSON (an X archive) may carry a lone surrogate such as "\\ud83d": not storable text
                "".join(texts).encode()
            except UnicodeEncodeError:
                errors["text"] = "The post holds text that is not valid Unicode."
        return errors


def _when_json(value: datetime | None) -> str:
    return "null" if value is None else '"' + value.astimezone(UTC).isoformat() + '"'


def content_hash(
    text: str,
    media: list[dict],
    *,
    url: str = "",
    campaign: str = "",
    sponsored: bool = False,
    scheduled_at: datetime | None = None,
) -> str:
    """SHA-256 of the post's reviewed content (``REVIEWED_FIELDS``) as compact JSON, sorted keys:
    ``{"campaign": ..., "media": [...], "scheduled_at": "<UTC ISO 8601>" | null, "sponsored": ...,
    "text": ..., "url": ...}``. A review keeps the hash it saw: a different hash is "changed since
    review".

    Written out by hand because imports hash every row: the same bytes as ``json.dumps(...,
    sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` of that dict (a property test
    holds the two together), at a fraction of the cost.
    """
    media_json = json.dumps(media, sort_keys=True, separators=(",", ":"), ensure_ascii=False) if media else "[]"
    payload = (
        '{"campaign":' + encode_basestring(campaign) + ',"media":' + media_json
        + ',"scheduled_at":' + _when_json(scheduled_at) + ',"sponsored":' + ("true" if sponsored else "false")
        + ',"text":' + encode_basestring(text) + ',"url":' + encode_basestring(url) + "}"
    )  # fmt: skip
    return hashlib.sha256(payload.encode()).hexdigest()


def post_content_hash(post) -> str:
    """The content hash of a post (or anything with the reviewed fields as attributes)."""
    return content_hash(
        post.text,
        post.media,
        url=post.url,
        campaign=post.campaign,
        sponsored=post.sponsored,
        scheduled_at=post.scheduled_at,
    )


def clean_media(media: list[dict]) -> list[dict]:
    return [
        {"type": m.get("type", ""), "url": str(m.get("url", ""))[:500], "alt_text": str(m.get("alt_text", ""))[:1000]}
        for m in media
    ]
