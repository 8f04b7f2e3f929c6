from itertools import zip_longest

from django import forms
from django.utils.dateparse import parse_datetime

from accounts.models import Team
from accounts.permissions import team_ids_with_right
from accounts.roles import Right
from core.forms import BootstrapForm

from .models import DefectCategory, ItemResult, PostStatus, Severity, Stage
from .platforms import Platform
from .prechecks import RULE_IDS, RULE_INFO


def _teams(user, right) -> list[tuple[int, str]]:
    return [(t.pk, t.name) for t in Team.objects.filter(pk__in=team_ids_with_right(user, right)).order_by("name")]


class AccountForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int)
    platform = forms.ChoiceField(choices=Platform.choices)
    handle = forms.CharField(max_length=100)
    display_name = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = _teams(user, Right.POST_MANAGE)


class PostForm(BootstrapForm):
    account = forms.TypedChoiceField(coerce=int)
    external_id = forms.CharField(max_length=100, help_text="The platform's post id, or your own reference.")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), strip=False)
    url = forms.URLField(required=False, max_length=500)
    media_type = forms.ChoiceField(
        choices=[("", "No media"), ("image", "Image"), ("video", "Video"), ("gif", "GIF")], required=False
    )
    media_url = forms.URLField(required=False, max_length=500)
    alt_text = forms.CharField(required=False, max_length=1000)
    campaign = forms.CharField(required=False, max_length=120)
    sponsored = forms.BooleanField(required=False)
    status = forms.ChoiceField(choices=PostStatus.choices, initial=PostStatus.DRAFT)
    scheduled_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    published_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [(a.pk, str(a)) for a in accounts]

    def clean(self):
        data = super().clean()
        if data.get("media_type") and not data.get("media_url"):
            self.add_error("media_url", "Give the media's URL.")
        return data


class ImportForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int)
    kind = forms.ChoiceField(choices=[("csv", "CSV (our format)"), ("x_archive", "X archive: data/tweets.js")])
    account = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, help_text="For an X archive: whose archive it is."
    )
    file = forms.FileField()

    def __init__(self, *args, user, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = _teams(user, Right.POST_MANAGE)
        self.fields["account"].choices = [("", "—")] + [(a.pk, str(a)) for a in accounts if a.platform == "x"]


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class PrecheckSettingsForm(BootstrapForm):
    enabled_rules = forms.MultipleChoiceField(
        choices=[(r, f"{r} — {RULE_INFO[r][1]}") for r in RULE_IDS], widget=forms.CheckboxSelectMultiple, required=False
    )
    disclosure_tokens = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    banned_terms = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line.")
    restricted_terms = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )
    allowed_domains = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line; empty = any domain."
    )
    utm_required_domains = forms.CharField(
        label="Domains whose links need UTM parameters",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One per line.",
    )

    def lists(self) -> dict[str, list[str]]:
        d = self.cleaned_data
        return {
            "enabled_rules": list(d["enabled_rules"]),
            **{
                k: _lines(d[k])
                for k in (
                    "disclosure_tokens",
                    "banned_terms",
                    "restricted_terms",
                    "allowed_domains",
                    "utm_required_domains",
                )
            },
        }


class ChecklistForm(BootstrapForm):
    version = forms.TypedChoiceField(coerce=int, label="SOP version in force")
    name = forms.CharField(max_length=200)
    items = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=(
            "One item per line: criterion | category | severity | SOP section | pre-check rule (optional). "
            f"Categories: {', '.join(DefectCategory.values)}. Severities: {', '.join(Severity.values)}."
        ),
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [
            (v.pk, f"{v.document.number} v{v.label} — {v.document.title}") for v in versions
        ]

    def parsed_items(self) -> list[dict]:
        items = []
        for line in _lines(self.cleaned_data["items"]):
            parts = [p.strip() for p in line.split("|")] + ["", "", "", ""]
            items.append(
                {
                    "criterion": parts[0],
                    "category": parts[1] or DefectCategory.OTHER,
                    "severity": parts[2] or Severity.MAJOR,
                    "sop_section": parts[3],
                    "precheck_rule": parts[4],
                }
            )
        return items


class LotForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int)
    account = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(
        choices=[("iso2859", "ISO 2859-1, normal inspection, level II"), ("percentage", "Fixed percentage")]
    )
    aql = forms.DecimalField(initial="2.5", required=False, help_text="Acceptance quality limit, % defective.")
    percent = forms.DecimalField(required=False, min_value=0.1, max_value=100)

    def __init__(self, *args, user, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = _teams(user, Right.POST_REVIEW)
        self.fields["account"].choices = [("", "Whole team")] + [(a.pk, str(a)) for a in accounts]


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text (a 500 otherwise); a review's free text drops it.
    return value.replace("\x00", "")


class _FreeTextField(forms.CharField):
    def to_python(self, value):
        return super().to_python(_no_nul(value) if isinstance(value, str) else value)


class ReviewForm(forms.Form):
    """The review page's submit: one result per checklist item (``item-<id>``), the defect rows
    (``defect_category``, ``defect_severity``, ``defect_note``, ``defect_item``, repeated; the
    page's script adds and pre-fills them) and the stage. The service checks the rest (every item
    answered, the defects' categories and severities), so its errors name the same fields."""

    checklist = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    stage = forms.ChoiceField(choices=Stage.choices, required=False)
    started_at = forms.CharField(required=False)
    lot = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    notes = _FreeTextField(required=False, max_length=5000)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.item_ids = [i.pk for i in items]
        for pk in self.item_ids:
            self.fields[f"item-{pk}"] = forms.ChoiceField(choices=ItemResult.choices, required=False)

    def clean_started_at(self):
        try:  # parse_datetime raises on a well-formed but impossible moment (2024-02-30T10:00)
            return parse_datetime(self.cleaned_data["started_at"])
        except ValueError:
            return None

    def results(self) -> dict[int, str]:
        return {pk: self.cleaned_data[f"item-{pk}"] for pk in self.item_ids if self.cleaned_data.get(f"item-{pk}")}

    def defects(self) -> list[dict]:
        rows = zip_longest(
            *(self.data.getlist(f"defect_{name}") for name in ("category", "severity", "note", "item")),
            fillvalue="",
        )
        defects = []
        for category, severity, note, item in rows:
            if category or severity or note.strip():
                defects.append(
                    {
                        "category": category,
                        "severity": severity,
                        "note": _no_nul(note),
                        "item": int(item) if item.isdecimal() and int(item) in self.item_ids else None,
                    }
                )
        return defects
