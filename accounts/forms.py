from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.roles import Role
from accounts.services.memberships import REASON_MAX


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TeamSwitchForm(forms.Form):
    team = forms.CharField(required=False)
    next = forms.CharField(required=False)


class MemberAddForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    role = forms.ChoiceField(choices=Role.choices)
    reason = forms.CharField(max_length=REASON_MAX, required=False)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    reason = forms.CharField(max_length=REASON_MAX, required=False)


class MemberRemoveForm(forms.Form):
    reason = forms.CharField(max_length=REASON_MAX, required=False)


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=60, required=False, initial="API")
