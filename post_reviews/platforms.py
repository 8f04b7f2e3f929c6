"""Social platforms and the publishing limits the pre-checks hold a post to.

Plain data, no database: the values change when the platforms change their rules, so they live in
one table with a note on where each number comes from.
"""

from dataclasses import dataclass

from django.db import models


class Platform(models.TextChoices):
    X = "x", "X"
    INSTAGRAM = "instagram", "Instagram"
    FACEBOOK = "facebook", "Facebook"
    LINKEDIN = "linkedin", "LinkedIn"
    TIKTOK = "tiktok", "TikTok"
    YOUTUBE = "youtube", "YouTube"
    THREADS = "threads", "Threads"
    BLUESKY = "bluesky", "Bluesky"


@dataclass(frozen=True)
class PlatformRules:
    caption_limit: int  # most characters the post text may have
    fold_at: int | None  # characters visible before the "more" cut in the feed; None = no fold
    hashtag_limit: int | None  # a hard limit only; None = no limit (best-practice counts are not limits)
    alt_text_supported: bool  # the platform lets the author attach alt text to media


RULES: dict[str, PlatformRules] = {
    # 280 characters for a standard account (Premium allows longer posts, shown behind "Show more";
    # a team's limit is the standard one). X weighs URLs as 23 and CJK as 2; we count code points.
    # No hashtag limit (1-2 is advice, not a rule). Alt text on images, up to 1000 characters.
    Platform.X: PlatformRules(caption_limit=280, fold_at=None, hashtag_limit=None, alt_text_supported=True),
    # Caption up to 2200 characters; the feed shows about 125 before "more". 30 hashtags is the hard
    # limit: a caption with more fails to post. Alt text under Advanced settings.
    Platform.INSTAGRAM: PlatformRules(caption_limit=2200, fold_at=125, hashtag_limit=30, alt_text_supported=True),
    # 63,206 characters; the feed truncates at about 477 characters ("See more"), rounded to 480.
    Platform.FACEBOOK: PlatformRules(caption_limit=63206, fold_at=480, hashtag_limit=None, alt_text_supported=True),
    # 3000 characters for a post; "...see more" after about 210 characters on desktop.
    Platform.LINKEDIN: PlatformRules(caption_limit=3000, fold_at=210, hashtag_limit=None, alt_text_supported=True),
    # Caption up to 4000 characters (raised from 2200 in 2023); about the first 100 show over the video.
    # No alt text for videos.
    Platform.TIKTOK: PlatformRules(caption_limit=4000, fold_at=100, hashtag_limit=None, alt_text_supported=False),
    # Description up to 5000 characters; about 150 show above "...more". With more than 15 hashtags
    # YouTube ignores every hashtag on the video. No alt text for videos.
    Platform.YOUTUBE: PlatformRules(caption_limit=5000, fold_at=150, hashtag_limit=15, alt_text_supported=False),
    # 500 characters; one topic tag per post. Alt text on images and videos.
    Platform.THREADS: PlatformRules(caption_limit=500, fold_at=None, hashtag_limit=1, alt_text_supported=True),
    # 300 graphemes (user-perceived characters); alt text on images and videos.
    Platform.BLUESKY: PlatformRules(caption_limit=300, fold_at=None, hashtag_limit=None, alt_text_supported=True),
}


def rules_for(platform: str) -> PlatformRules:
    """The rules of `platform` (a `Platform` value); KeyError for an unknown platform."""
    try:
        return RULES[platform]
    except KeyError:
        raise KeyError(f"Unknown platform {platform!r}; expected one of {', '.join(Platform.values)}") from None


def label_for(platform: str) -> str:
    """The display name of `platform`, or the raw value when it is not a known platform."""
    try:
        return str(Platform(platform).label)
    except ValueError:
        return str(platform)
