from django import forms

from accounts.models import Team
from accounts.permissions import team_ids_with_right
from accounts.roles import Right
from accounts.selectors import team_list_for
from core.forms import BootstrapForm

from .models import Kind
from .selectors import approver_candidates


class DocumentCreateForm(BootstrapForm):
    team = forms.TypedChoiceField(coerce=int)
    number = forms.CharField(max_length=40, help_text="Unique in the team, e.g. SOP-SM-004.", label="Document number")
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.SOP)
    review_interval_months = forms.IntegerField(min_value=1, max_value=60, initial=12)
    required_approvals = forms.IntegerField(min_value=1, max_value=5, initial=1)
    source_url = forms.URLField(
        required=False, assume_scheme="https", label="Source URL", help_text="Only for external documents."
    )
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 12}), required=False, help_text="Markdown.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(pk__in=team_ids_with_right(user, Right.DOCUMENT_AUTHOR)).order_by("name")
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]


class DraftForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 22}), required=False, strip=False, max_length=500_000)
    change_summary = forms.CharField(max_length=500, required=False)
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SubmitForm(forms.Form):
    approvers = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple)
    extra_teams = forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of these teams must acknowledge it too.",
    )
    effective_from = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to make it effective as soon as it is approved.",
    )

    def __init__(self, *args, version, user, **kwargs):
        super().__init__(*args, **kwargs)
        document = version.document
        leads = approver_candidates(version)
        self.fields["approvers"].choices = [(u.pk, u.printed_name) for u in leads]
        self.fields["approvers"].help_text = f"Needs {document.required_approvals} approval(s)."
        self.fields["extra_teams"].choices = [(t.pk, t.name) for t in team_list_for(user).exclude(pk=document.team_id)]


class SignForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), strip=False)
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class PasswordForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), strip=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class MakeEffectiveForm(forms.Form):
    effective_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class NewDraftForm(forms.Form):
    major = forms.BooleanField(required=False, label="Major revision (next whole number)")
    change_summary = forms.CharField(max_length=500, required=False)


class RegisterFilterForm(forms.Form):
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Kind.choices], required=False)
    status = forms.ChoiceField(required=False)
    review_due = forms.BooleanField(required=False, label="Review due")
    awaiting_my_approval = forms.BooleanField(required=False, label="Awaiting my approval")
    awaiting_my_ack = forms.BooleanField(required=False, label="Awaiting my acknowledgement")
    q = forms.CharField(required=False, max_length=200, label="Search")

    def __init__(self, *args, teams, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [("", "All my teams"), *[(t.pk, t.name) for t in teams]]
        self.fields["status"].choices = [("", "Any status"), *statuses]
