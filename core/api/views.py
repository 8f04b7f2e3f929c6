from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.selectors import team_get_for
from core.api.base import ScopedViewSetMixin
from core.api.serializers import AttachmentSerializer, AttachmentUploadSerializer, NotificationSerializer
from core.downloads import attachment_file_response
from core.models import Attachment, Notification
from core.selectors import attachment_get_for, attachment_list_for, notification_list_for
from core.services import attachment_create, notification_mark_read


class AttachmentViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Files kept as evidence. Upload checks size, type by content, and file name."""

    model = Attachment
    serializer_class = AttachmentSerializer
    parser_classes = [MultiPartParser]

    def scoped_queryset(self, user):
        return attachment_list_for(user)

    def get_object(self):
        return attachment_get_for(self.request.user, attachment_id=self._pk())

    def perform_content_negotiation(self, request, force=False):
        # The download answers the file itself (not through a renderer), or JSON for an error:
        # a client asking for the file's type must get it, not a 406.
        if self.action == "download":
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    def _pk(self) -> int:
        return int(self.kwargs["pk"])

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file itself.")})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The stored file, after the same scope check as the record (another team's is a 404)."""
        return attachment_file_response(request, self.get_object())

    @extend_schema(request={"multipart/form-data": AttachmentUploadSerializer}, responses={201: AttachmentSerializer})
    def create(self, request):
        form = AttachmentUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        team = team_get_for(request.user, team_id=form.validated_data["team"])
        attachment = attachment_create(team=team, upload=form.validated_data["file"], by=request.user)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class NotificationViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The current user's inbox."""

    model = Notification
    serializer_class = NotificationSerializer

    def scoped_queryset(self, user):
        return notification_list_for(user)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"], url_path="read")
    def read(self, request, pk=None):
        notification = notification_mark_read(notification_id=int(pk), by=request.user)
        return Response(NotificationSerializer(notification).data)
