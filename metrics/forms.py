"""The one set of dashboard filters, used by the page and the API alike."""

from datetime import timedelta

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone

from accounts.selectors import team_list_for, team_members
from core.forms import BootstrapForm
from post_reviews.platforms import Platform
from post_reviews.selectors import account_list_for, defect_category_choices

from .definitions import METRICS
from .labels import finding_classification_labels, nc_source_labels
from .models import Comparator, Period
from .selectors import INTERVALS, Filters, scoped_teams

MAX_DAYS = 3 * 366


class MetricsFilterForm(BootstrapForm):
    metric = forms.ChoiceField(required=False, choices=[(k, m.label) for k, m in METRICS.items()])
    team = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    platform = forms.ChoiceField(required=False, choices=[("", "All platforms"), *Platform.choices])
    account = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(required=False)
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    interval = forms.ChoiceField(required=False, choices=[(i, i.capitalize()) for i in INTERVALS])
    # Narrow the quality-record figures (NCs, audit findings); the review figures ignore them.
    source = forms.ChoiceField(required=False, label="NC source")
    classification = forms.ChoiceField(required=False, label="Finding class")
    clause = forms.CharField(
        required=False,
        max_length=20,
        label="ISO clause",
        validators=[RegexValidator(r"^[0-9A-Za-z.]+$", "An ISO 9001 clause like 8.5.1.")],
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["team"].choices = [("", "All my teams"), *((t.pk, t.name) for t in team_list_for(user))]
        self.fields["account"].choices = [
            ("", "All accounts"),
            *(
                (a.pk, f"{a.get_platform_display()} @{a.handle}")
                for a in account_list_for(user).order_by("platform", "handle")
            ),
        ]
        self.fields["category"].choices = [("", "All categories"), *defect_category_choices()]
        self.fields["source"].choices = [("", "All sources"), *nc_source_labels().items()]
        self.fields["classification"].choices = [("", "All classes"), *finding_classification_labels().items()]

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["date_to"] = data.get("date_to") or today
        data["date_from"] = data.get("date_from") or data["date_to"] - timedelta(days=89)
        if data["date_from"] > data["date_to"]:
            self.add_error("date_from", "Must be on or before the end date.")
        elif (data["date_to"] - data["date_from"]).days > MAX_DAYS:
            self.add_error("date_from", "Choose at most three years.")
        data["interval"] = data.get("interval") or "week"
        data["metric"] = data.get("metric") or "review_pass_rate"
        return data

    def filters(self) -> Filters:
        d = self.cleaned_data
        return Filters(
            team_ids=scoped_teams(self.user, d.get("team")),
            day_from=d["date_from"],
            day_to=d["date_to"],
            interval=d["interval"],
            platform=d.get("platform") or "",
            account_id=d.get("account"),
            category=d.get("category") or "",
            source=d.get("source") or "",
            classification=d.get("classification") or "",
            clause=d.get("clause") or None,
        )


class ObjectiveForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int)
    name = forms.CharField(max_length=200)
    metric = forms.ChoiceField(choices=[(k, m.label) for k, m in METRICS.items()])
    comparator = forms.ChoiceField(choices=Comparator.choices)
    target = forms.DecimalField(max_digits=12, decimal_places=3, help_text="Rates in percent, e.g. 95.")
    period = forms.ChoiceField(choices=Period.choices)
    owner = forms.TypedChoiceField(coerce=int)
    platform = forms.ChoiceField(required=False, choices=[("", "All platforms"), *Platform.choices])
    category = forms.ChoiceField(required=False, help_text="For defect metrics only.")

    def __init__(self, data=None, *, teams, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]
        members = team_members(team_ids={t.pk for t in teams})
        self.fields["owner"].choices = [(u.pk, u.printed_name) for u in members]
        self.fields["category"].choices = [("", "All categories"), *defect_category_choices()]
