"""``POST /api/v1/ingest/{kind}/``: multipart upload, answered with a job id."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tca.ingestion.jobs import ingest_job_submit
from tca.ingestion.services import KINDS

from .permissions import require
from .serializers import JobCreatedSerializer


class IngestUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    source = serializers.RegexField(r"^[A-Za-z0-9_.\-]{1,64}$", required=False, default="default")
    tz = serializers.CharField(required=False, allow_blank=True, default="")


class IngestApi(APIView):
    parser_classes = (MultiPartParser,)
    permission_classes = (require("orders.ingest_data"),)

    @extend_schema(request=IngestUploadSerializer, responses={202: JobCreatedSerializer})
    def post(self, request: Request, kind: str) -> Response:
        if kind not in KINDS:
            return Response(
                {"detail": f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}"},
                status=status.HTTP_404_NOT_FOUND,
            )
        upload = request.FILES.get("file")
        if upload is not None and upload.size > settings.FOOTPRINT_MAX_UPLOAD_BYTES:
            return Response(
                {
                    "detail": f"file is {upload.size:,} bytes; the limit is "
                    f"{settings.FOOTPRINT_MAX_UPLOAD_BYTES:,}"
                },
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        form = IngestUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        job = ingest_job_submit(
            kind=kind,
            upload=form.validated_data["file"],
            user=request.user,
            source=form.validated_data["source"],
            tz=form.validated_data["tz"] or None,
        )
        url = reverse("api:job-detail", kwargs={"pk": job.id})
        return Response({"job_id": job.id, "status_url": url}, status=status.HTTP_202_ACCEPTED)
