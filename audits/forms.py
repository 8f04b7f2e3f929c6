"""Forms for the audit pages. They check shape; the services check the rules."""

from django import forms

from accounts.roles import ROLE_RIGHTS, Right
from accounts.selectors import team_members
from core.forms import BootstrapForm

from .models import AnswerValue, AuditType, Classification
from .workflow import Status


class PasswordField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Your password (electronic signature)")
        super().__init__(strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), **kwargs)


AUDITOR_ROLES = tuple(r for r, rights in ROLE_RIGHTS.items() if {Right.AUDIT_RUN, Right.AUDIT_PLAN} & rights)
_TEXTAREA = forms.Textarea(attrs={"rows": 3})


class AuditFilterForm(BootstrapForm):
    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    audit_type = forms.ChoiceField(label="Type", choices=[("", "Any type"), *AuditType.choices], required=False)


class FindingFilterForm(BootstrapForm):
    classification = forms.ChoiceField(choices=[("", "Any classification"), *Classification.choices], required=False)
    awaiting = forms.BooleanField(label="Awaiting a response", required=False)


class ProgrammeForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int)
    year = forms.IntegerField(min_value=2000, max_value=2100)
    objectives = forms.CharField(widget=_TEXTAREA, max_length=20_000)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]


class AuditPlanForm(BootstrapForm):
    title = forms.CharField(max_length=200)
    audit_type = forms.ChoiceField(label="Type", choices=AuditType.choices)
    planned_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    planned_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    lead_auditor = forms.TypedChoiceField(coerce=int)
    auditors = forms.TypedMultipleChoiceField(coerce=int, required=False, help_text="Other auditors.")
    audited_teams = forms.TypedMultipleChoiceField(coerce=int)
    auditees = forms.TypedMultipleChoiceField(coerce=int, required=False)
    clauses = forms.CharField(required=False, max_length=500, help_text="ISO 9001 clauses, comma separated: 7.5.3, 8.6")
    processes = forms.CharField(widget=_TEXTAREA, required=False, max_length=20_000)
    period_start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, help_text="Content audits.")

    def __init__(self, *args, team, teams, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        people = [(u.pk, u.printed_name) for u in team_members(team_id=team.pk, roles=AUDITOR_ROLES)]
        members = [(u.pk, u.printed_name) for u in team_members(team_ids={t.pk for t in teams})]
        self.fields["lead_auditor"].choices = people
        self.fields["auditors"].choices = people
        self.fields["audited_teams"].choices = [(t.pk, t.name) for t in teams]
        self.fields["audited_teams"].initial = [team.pk]
        self.fields["auditees"].choices = members
        self.fields["account"].choices = [("", "—"), *((a.pk, str(a)) for a in accounts)]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["clauses"] = [c.strip() for c in (data.get("clauses") or "").split(",") if c.strip()]
        return data


class CancelForm(BootstrapForm):
    reason = forms.CharField(widget=_TEXTAREA, max_length=20_000)


class CloseForm(BootstrapForm):
    password = PasswordField()


class OverrideForm(BootstrapForm):
    justification = forms.CharField(widget=_TEXTAREA, max_length=20_000)
    password = PasswordField()


class ReportForm(BootstrapForm):
    summary = forms.CharField(widget=_TEXTAREA, required=False, max_length=20_000)
    method = forms.CharField(widget=_TEXTAREA, required=False, max_length=20_000)
    conclusion = forms.CharField(widget=_TEXTAREA, required=False, max_length=20_000)


class QuestionForm(BootstrapForm):
    text = forms.CharField(label="New question", widget=forms.Textarea(attrs={"rows": 2}), max_length=20_000)
    clause = forms.CharField(required=False, max_length=20)


class FindingForm(BootstrapForm):
    classification = forms.ChoiceField(choices=Classification.choices)
    clause = forms.CharField(required=False, max_length=20)
    statement = forms.CharField(widget=_TEXTAREA, max_length=20_000)
    requirement = forms.CharField(widget=_TEXTAREA, required=False, max_length=20_000)
    evidence_text = forms.CharField(label="Objective evidence", widget=_TEXTAREA, required=False, max_length=20_000)
    team = forms.TypedChoiceField(coerce=int, help_text="The audited team the finding is about.")
    question = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    file = forms.FileField(required=False, label="Attachment (optional)")

    def __init__(self, *args, teams, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]
        self.fields["question"].choices = [("", "—"), *((q.pk, f"{q.order}. {q.text[:80]}") for q in questions)]


class ResponseDueForm(BootstrapForm):
    response_due = forms.DateField(label="Response due", widget=forms.DateInput(attrs={"type": "date"}))


class RespondForm(BootstrapForm):
    response = forms.CharField(label="Auditee response", widget=_TEXTAREA, max_length=20_000)


class EvidenceForm(BootstrapForm):
    file = forms.FileField(required=False)
    record = forms.ChoiceField(required=False, label="Or link a record")
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [("", "—"), *choices]

    def clean(self):
        data = super().clean()
        if bool(data.get("file")) == bool(data.get("record")):
            raise forms.ValidationError("Choose a file or a record (one).")
        return data

    def record_link(self) -> dict | None:
        value = self.cleaned_data.get("record")
        if not value:
            return None
        kind, _, pk = value.partition(":")
        return {"type": kind, "id": int(pk)}


ANSWER_KEYS = {
    AnswerValue.CONFORMING: "c",
    AnswerValue.NONCONFORMING: "n",
    AnswerValue.OBSERVATION: "o",
    AnswerValue.NOT_APPLICABLE: "a",
}


def run_form(form: forms.Form, call):
    """Core's ``run_service`` for pages that redirect to what the service returned: its result,
    or None with the domain errors shown on the form (a form needs no request for that)."""
    from core.views.helpers import run_service

    outcome = run_service(None, call, form=form)
    return outcome.value if outcome else None


class BankFilterForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    clause = forms.RegexField(
        regex=r"^(4|5|6|7|8|9|10)(\.\d{1,2}){0,3}$",
        required=False,
        max_length=20,
        help_text="7.5 finds 7.5 and 7.5.3",
        error_messages={"invalid": "Give an ISO 9001 clause such as 7.5.3."},
    )
    q = forms.CharField(label="Search", required=False, max_length=200)
    retired = forms.BooleanField(label="Retired questions", required=False)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "All my teams"), *((t.pk, t.name) for t in teams)]


class BankQuestionForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int)
    question = forms.CharField(widget=_TEXTAREA, max_length=2_000)
    clause = forms.CharField(required=False, max_length=20, help_text="ISO 9001 clause, e.g. 7.5.3")
    document = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Linked document")
    guidance = forms.CharField(widget=_TEXTAREA, required=False, max_length=20_000, help_text="What to look at.")

    def __init__(self, *args, teams, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]
        self.fields["document"].choices = [("", "—"), *((d.pk, f"{d.number} {d.title}") for d in documents)]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("team", None)
        data["document"] = data.get("document")
        return data
