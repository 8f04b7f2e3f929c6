"""Evidence pack API: start an export, poll its job, download the ZIP, verify an uploaded pack.

Another audit's pack or job is a 404 (the same as a missing one) before a byte is streamed.
"""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.packs import selectors, services
from audits.packs.models import EvidencePackJob, PackStatus
from audits.packs.verifier import PackRejected
from core.exceptions import ValidationError


@extend_schema_field({"allOf": [{"type": "string", "enum": list(PackStatus.values)}], "readOnly": True})
class PackStatusField(serializers.ReadOnlyField):
    pass


class PackJobSerializer(serializers.ModelSerializer):
    status = PackStatusField()
    audit_reference = serializers.CharField(source="audit.reference", read_only=True)
    requested_by = serializers.CharField(source="requested_by.printed_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = EvidencePackJob
        fields = [
            "id",
            "audit",
            "audit_reference",
            "status",
            "progress",
            "files_done",
            "files_total",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "failure_message",
            "size",
            "manifest_sha256",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        if not job.is_downloadable:
            return None
        return self.context["request"].build_absolute_uri(reverse("api-evidence-pack-download", args=[job.pk]))

    def to_representation(self, job):
        data = super().to_representation(job)
        if job.status != PackStatus.DONE:
            data["size"] = data["manifest_sha256"] = None  # nothing to offer until the ZIP is complete
        return data


class PackVerifyRequestSerializer(serializers.Serializer):
    file = serializers.FileField()


class PackVerifySerializer(serializers.Serializer):
    known = serializers.BooleanField(help_text="The manifest's SHA-256 is that of a pack this system exported.")
    intact = serializers.BooleanField(help_text="Every file matches the manifest; none missing or added.")
    manifest_sha256 = serializers.CharField()
    changed = serializers.ListField(child=serializers.CharField())
    missing = serializers.ListField(child=serializers.CharField())
    added = serializers.ListField(child=serializers.CharField())
    files_checked = serializers.IntegerField()
    export = PackJobSerializer(allow_null=True, help_text="The export, when you may see its audit.")


class EvidencePackStartView(APIView):
    @extend_schema(request=None, responses={202: PackJobSerializer}, operation_id="audits_evidence_pack_create")
    def post(self, request, pk: int):
        job = services.evidence_pack_request(audit_id=pk, by=request.user)
        job.refresh_from_db()  # eager mode may have built it already
        return Response(PackJobSerializer(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class EvidencePackJobView(APIView):
    @extend_schema(responses={200: PackJobSerializer}, operation_id="evidence_pack_jobs_retrieve")
    def get(self, request, pk: int):
        job = selectors.pack_job_get_for(request.user, pk)
        return Response(PackJobSerializer(job, context={"request": request}).data)


class EvidencePackDownloadView(APIView):
    @extend_schema(
        responses={(200, "application/zip"): OpenApiResponse(description="The evidence pack ZIP.")},
        operation_id="evidence_pack_jobs_download",
    )
    def get(self, request, pk: int):
        return selectors.pack_download_response(request, pk)


class EvidencePackVerifyView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": PackVerifyRequestSerializer},
        responses={200: PackVerifySerializer},
        operation_id="evidence_packs_verify",
    )
    def post(self, request):
        upload = request.data.get("file")
        if upload is None or not hasattr(upload, "read"):
            raise ValidationError({"file": "Upload the evidence pack ZIP as `file`."})
        if upload.size > settings.QMS_PACK_VERIFY_MAX_UPLOAD_BYTES:
            raise ValidationError({"file": "The file is larger than the upload limit."})
        try:
            result, known, export = services.evidence_pack_verify(upload=upload, by=request.user)
        except PackRejected as exc:
            raise ValidationError({"file": str(exc)}) from exc
        data = {
            "known": known,
            "intact": result.intact,
            "manifest_sha256": result.manifest_sha256,
            "changed": result.changed,
            "missing": result.missing,
            "added": result.added,
            "files_checked": result.checked,
            "export": PackJobSerializer(export, context={"request": request}).data if export else None,
        }
        return Response(data)
