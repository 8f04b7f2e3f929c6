from rest_framework import serializers

from accounts.models import ApiToken, Membership, User
from accounts.roles import Role
from accounts.services.memberships import REASON_MAX


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, help_text="A label for the token.")


class TokenResponseSerializer(serializers.ModelSerializer):
    token = serializers.CharField(help_text="The key. Shown this once: only its hash is stored.")

    class Meta:
        model = ApiToken
        fields = ["token", "id", "name", "prefix", "created_at"]


class LockedOutSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    team_id = serializers.IntegerField()
    team = serializers.CharField(source="team.name")

    class Meta:
        model = Membership
        fields = ["team_id", "team", "role"]


class MeSerializer(serializers.ModelSerializer):
    printed_name = serializers.CharField()
    memberships = MembershipSerializer(many=True, source="memberships_list")

    class Meta:
        model = User
        fields = ["id", "username", "printed_name", "email", "memberships"]


class TeamMemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    printed_name = serializers.CharField(source="user.printed_name", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "team_id", "user_id", "username", "printed_name", "role", "created_at"]
        read_only_fields = fields


class TeamMemberAddSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
    reason = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True)


class TeamMemberChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    reason = serializers.CharField(max_length=REASON_MAX, required=False, allow_blank=True)


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its key."""

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at"]
        read_only_fields = fields
