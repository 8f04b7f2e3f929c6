"""CAPA's shared vocabulary: the severity scale and the categories of nonconformities.

One vocabulary for the apps that raise NCs: post reviews files its checklist items and defects
under these categories, so a defect's category and severity are its NC's, with no mapping. It
lives outside ``models`` so those apps import the enums without reading capa's models.
"""

from django.db import models


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"


class Category(models.TextChoices):
    # The defect taxonomy of post reviews, plus process for audit findings.
    DISCLOSURE = "disclosure", "Disclosure"
    ACCESSIBILITY = "accessibility", "Accessibility"
    SPELLING_GRAMMAR = "spelling_grammar", "Spelling / grammar"
    BRAND_VOICE = "brand_voice", "Brand voice"
    LEGAL_CLAIMS = "legal_claims", "Legal / claims"
    LINK = "link", "Link"
    WRONG_ASSET = "wrong_asset", "Wrong asset"
    TIMING = "timing", "Timing"
    PROCESS = "process", "Process"
    OTHER = "other", "Other"
