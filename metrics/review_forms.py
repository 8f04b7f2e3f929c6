"""Forms of the management review pages. They check shape; the services check the rules."""

from django import forms

from accounts.roles import ROLE_RIGHTS, Right
from accounts.selectors import team_members
from core.forms import BootstrapForm

from .models import ManagementReview

CHAIR_ROLES = tuple(role for role, rights in ROLE_RIGHTS.items() if Right.METRICS_MANAGE in rights)
_TEXT = {"required": False, "max_length": 20000, "widget": forms.Textarea(attrs={"rows": 3})}
_DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class ReviewForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int)
    title = forms.CharField(max_length=200)
    period_start = forms.DateField(**_DATE)
    period_end = forms.DateField(**_DATE)
    chair = forms.ModelChoiceField(queryset=None)
    participants = forms.ModelMultipleChoiceField(queryset=None, required=False)
    issues_changes = forms.CharField(label="b) Changes in internal and external issues", **_TEXT)
    external_providers = forms.CharField(label="c) Performance of external providers", **_TEXT)
    resources = forms.CharField(label="d) Adequacy of resources", **_TEXT)
    risks = forms.CharField(label="e) Effectiveness of actions on risks and opportunities", **_TEXT)
    improvement = forms.CharField(label="f) Opportunities for improvement", **_TEXT)
    decisions = forms.CharField(label="Decisions (9.3.3)", **_TEXT)
    resource_needs = forms.CharField(label="Resource needs (9.3.3)", **_TEXT)

    def __init__(self, *args, teams, review: ManagementReview | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]
        team_ids = {review.team_id} if review else {t.pk for t in teams}
        self.fields["chair"].queryset = team_members(team_ids=team_ids, roles=CHAIR_ROLES)
        self.fields["participants"].queryset = team_members(team_ids=team_ids)
        self.fields["chair"].label_from_instance = lambda u: u.printed_name
        self.fields["participants"].label_from_instance = lambda u: u.printed_name
        if review is not None:
            del self.fields["team"]

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("team", None)
        data["participants"] = list(data["participants"])
        return data


class ReviewActionForm(BootstrapForm):
    description = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(**_DATE)

    def __init__(self, *args, review: ManagementReview, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_members(team_id=review.team_id)
        self.fields["owner"].label_from_instance = lambda u: u.printed_name


class ReviewCloseForm(BootstrapForm):
    comment = forms.CharField(required=False, max_length=1000)
    password = forms.CharField(
        label="Your password (electronic signature)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
