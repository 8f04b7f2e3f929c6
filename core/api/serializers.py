from rest_framework import serializers

from core.models import Attachment, Notification, Signature


class SignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signature
        fields = ["id", "printed_name", "meaning", "signed_at", "record_version", "content_sha256", "comment"]


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.printed_name", read_only=True)

    class Meta:
        model = Attachment
        fields = [
            "id",
            "team",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "uploaded_by",
            "created_at",
        ]
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer):
    team = serializers.IntegerField(min_value=1)
    file = serializers.FileField(allow_empty_file=False, use_url=False)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "due_bucket", "created_at", "read_at", "done_at"]
        read_only_fields = fields
