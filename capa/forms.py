"""Forms for the CAPA pages. They check shape; the services check the rules."""

from django import forms

from accounts.roles import ROLE_RIGHTS, Right
from accounts.selectors import team_members
from core.forms import BootstrapForm as CoreBootstrapForm

from .models import (
    ActionKind,
    Category,
    CauseCategory,
    CheckResult,
    Comparator,
    CorrectiveAction,
    Disposition,
    Severity,
    SourceKind,
)

CAPA_WORK_ROLES = tuple(role for role, rights in ROLE_RIGHTS.items() if Right.CAPA_WORK in rights)
WHYS = 5


BootstrapForm = CoreBootstrapForm


class PasswordField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Your password (electronic signature)")
        super().__init__(strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), **kwargs)


class NonconformityForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int)
    source_kind = forms.ChoiceField(
        label="Source",
        choices=[
            (SourceKind.COMPLAINT, SourceKind.COMPLAINT.label),
            (SourceKind.OTHER, SourceKind.OTHER.label),
        ],
    )
    category = forms.ChoiceField(choices=Category.choices)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MAJOR)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]
        for name in ("team", "category"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": "similar/",
                    "hx-target": "#similar",
                    "hx-trigger": "change",
                    "hx-include": "closest form",
                }
            )


class ContainmentForm(BootstrapForm):
    disposition = forms.ChoiceField(
        choices=[("", "— (immediate correction / containment)"), *Disposition.choices], required=False
    )
    description = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    done_at = forms.DateTimeField(
        label="Done at", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    password = PasswordField(required=False, help_text="Needed only to accept as is (concession).")


class NoActionForm(BootstrapForm):
    justification = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    password = PasswordField()


class OpenCapaForm(BootstrapForm):
    owner = forms.ModelChoiceField(queryset=None)
    title = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, team_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_members(team_id=team_id, roles=CAPA_WORK_ROLES)


class LinkCapaForm(BootstrapForm):
    capa = forms.ModelChoiceField(queryset=None, label="Open CAPA")

    def __init__(self, *args, capas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capa"].queryset = capas


class RootCauseForm(BootstrapForm):
    root_cause = forms.CharField(label="Chosen root cause", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    root_cause_category = forms.ChoiceField(
        label="Root cause category", choices=[("", "—"), *CauseCategory.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, WHYS + 1):
            self.fields[f"why_{i}"] = forms.CharField(label=f"Why {i}?", required=False, max_length=1000)
        for value, label in CauseCategory.choices:
            self.fields[f"fishbone_{value}"] = forms.CharField(
                label=f"{label} causes (one a line)",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self._style()

    @classmethod
    def initial_for(cls, capa: CorrectiveAction) -> dict:
        initial = {"root_cause": capa.root_cause, "root_cause_category": capa.root_cause_category}
        for i, why in enumerate(capa.five_whys[:WHYS], start=1):
            initial[f"why_{i}"] = why
        for category, causes in (capa.fishbone or {}).items():
            initial[f"fishbone_{category}"] = "\n".join(causes)
        return initial

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "root_cause": data["root_cause"],
            "root_cause_category": data["root_cause_category"],
            "five_whys": [data[f"why_{i}"] for i in range(1, WHYS + 1)],
            "fishbone": {c: data[f"fishbone_{c}"] for c in CauseCategory.values if data[f"fishbone_{c}"]},
        }


class ActionItemForm(BootstrapForm):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    action_type = forms.ChoiceField(label="Type", choices=ActionKind.choices, initial=ActionKind.CORRECTIVE)
    owner = forms.ModelChoiceField(queryset=None)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, team_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team_members(team_id=team_id)


class ItemCompleteForm(BootstrapForm):
    note = forms.CharField(required=False, max_length=5000)
    evidence = forms.FileField(required=False, label="Evidence file")


class VerificationForm(BootstrapForm):
    criteria = forms.CharField(
        label="Effectiveness criteria", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: 30 days after implementation (today).",
    )
    metric_key = forms.CharField(
        required=False,
        max_length=60,
        label="Measured metric (optional)",
        help_text="A metric key, e.g. defect_rate; the daily job judges it from the metrics when the check is due.",
    )
    metric_scope = forms.JSONField(required=False, label="Metric scope (JSON)", widget=forms.TextInput())
    comparator = forms.ChoiceField(choices=[("", "—"), *Comparator.choices], required=False)
    threshold = forms.DecimalField(
        required=False, max_digits=12, decimal_places=4, help_text="In the metric's unit: rates in %, e.g. 1 = 1 %."
    )


class VerifyForm(BootstrapForm):
    result = forms.ChoiceField(choices=CheckResult.choices)
    evidence = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000)
    reason = forms.CharField(
        required=False,
        max_length=5000,
        help_text="Needed when not effective: the CAPA goes back to implementing.",
    )
    evidence_file = forms.FileField(required=False, label="Evidence file")


class CloseForm(BootstrapForm):
    comment = forms.CharField(required=False, max_length=1000)
    password = PasswordField()


class CancelForm(BootstrapForm):
    reason = forms.CharField(max_length=5000)


class CapaFilterForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(required=False)
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    source_kind = forms.ChoiceField(label="Source", required=False, choices=[("", "Any"), *SourceKind.choices])
    overdue = forms.BooleanField(required=False)

    def __init__(self, *args, teams, owners, **kwargs):
        super().__init__(*args, **kwargs)
        from .workflow import Status

        self.fields["team"].choices = [("", "All my teams")] + [(t.pk, t.name) for t in teams]
        self.fields["status"].choices = [("", "Any"), *Status.choices]
        self.fields["owner"].choices = [("", "Anyone")] + [(u.pk, u.printed_name) for u in owners]


class NcFilterForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(required=False)
    severity = forms.ChoiceField(required=False, choices=[("", "Any"), *Severity.choices])
    source_kind = forms.ChoiceField(label="Source", required=False, choices=[("", "Any"), *SourceKind.choices])
    category = forms.ChoiceField(required=False, choices=[("", "Any"), *Category.choices])

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        from .workflow import NCStatus

        self.fields["team"].choices = [("", "All my teams")] + [(t.pk, t.name) for t in teams]
        self.fields["status"].choices = [("", "Any"), *NCStatus.choices]
