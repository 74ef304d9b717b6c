"""``/api/v1/reports/best-execution/``: request a report, follow it, download the PDF."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tca.api.permissions import require

from .best_execution import (
    PERMISSION,
    ReportRequestError,
    best_execution_download,
    best_execution_reports,
    best_execution_request,
)
from .models import BestExecutionReport


class BestExecutionRequestSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    desk = serializers.CharField(max_length=64, required=False, allow_blank=True)
    broker = serializers.CharField(max_length=64, required=False, allow_blank=True)
    algo = serializers.CharField(max_length=64, required=False, allow_blank=True)
    asset_class = serializers.CharField(max_length=32, required=False, allow_blank=True)
    symbol = serializers.CharField(max_length=32, required=False, allow_blank=True)
    outlier_bps = serializers.FloatField(required=False, min_value=0, max_value=1e4)
    outlier_percentile = serializers.FloatField(required=False, min_value=0.5, max_value=0.9999)


class BestExecutionReportSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="job.status")
    progress = serializers.FloatField(source="job.progress")
    message = serializers.CharField(source="job.message")
    job_id = serializers.UUIDField(source="job.id")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = BestExecutionReport
        fields = ("id", "job_id", "status", "progress", "message", "date_from", "date_to", "desk",
                  "filters", "outlier_bps", "outlier_percentile", "created_at", "username",
                  "sha256", "size_bytes", "pages", "n_orders", "data_cutoff", "versions",
                  "download_url")  # fmt: skip

    def get_download_url(self, obj: BestExecutionReport) -> str | None:
        if not obj.sha256:
            return None
        return reverse("api:best-execution-download", kwargs={"pk": obj.pk})


class BestExecutionListApi(APIView):
    permission_classes = (require(PERMISSION),)

    @extend_schema(
        request=BestExecutionRequestSerializer, responses={202: BestExecutionReportSerializer}
    )
    def post(self, request: Request) -> Response:
        form = BestExecutionRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        try:
            report = best_execution_request(
                user=request.user,
                date_from=data.pop("date_from"),
                date_to=data.pop("date_to"),
                outlier_bps=data.pop("outlier_bps", None),
                outlier_percentile=data.pop("outlier_percentile", None),
                filters=data,
            )
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        except ReportRequestError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        body = BestExecutionReportSerializer(report).data
        body["status_url"] = reverse("api:best-execution-detail", kwargs={"pk": report.pk})
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: BestExecutionReportSerializer(many=True)})
    def get(self, request: Request) -> Response:
        reports = best_execution_reports(user=request.user)[:100]
        return Response(BestExecutionReportSerializer(reports, many=True).data)


class BestExecutionDetailApi(APIView):
    permission_classes = (require(PERMISSION),)

    @extend_schema(responses={200: BestExecutionReportSerializer})
    def get(self, request: Request, pk: str) -> Response:
        report = get_object_or_404(best_execution_reports(user=request.user), pk=pk)
        return Response(BestExecutionReportSerializer(report).data)


class BestExecutionDownloadApi(APIView):
    permission_classes = (require(PERMISSION),)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: str) -> FileResponse | Response:
        report = get_object_or_404(best_execution_reports(user=request.user), pk=pk)
        try:
            path, name = best_execution_download(user=request.user, report=report)
        except ReportRequestError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except FileNotFoundError as exc:
            raise Http404("The report's file is missing") from exc
        return pdf_response(path, name, report.sha256)


def pdf_response(path, name: str, sha256: str) -> FileResponse:  # type: ignore[no-untyped-def]
    response = FileResponse(path.open("rb"), content_type="application/pdf", as_attachment=True,
                            filename=name)  # fmt: skip
    response["X-Content-SHA256"] = sha256
    return response
