from rest_framework import serializers

from accounts.models import Membership, User


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


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
