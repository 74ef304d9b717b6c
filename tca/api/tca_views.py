"""``POST /api/v1/tca/compute/``: enqueue a TCA run, answered with a job id."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tca.costs.runs import tca_run_submit

from .permissions import require
from .serializers import JobCreatedSerializer


class TcaComputeSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    since = serializers.DateField(required=False)
    symbol = serializers.CharField(required=False, max_length=32)
    stale_only = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict) -> dict:  # type: ignore[type-arg]
        if attrs.get("date") and attrs.get("since"):
            raise serializers.ValidationError("give date or since, not both")
        return attrs


class TcaComputeApi(APIView):
    permission_classes = (require("costs.run_tca"),)

    @extend_schema(request=TcaComputeSerializer, responses={202: JobCreatedSerializer})
    def post(self, request: Request) -> Response:
        form = TcaComputeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        job = tca_run_submit(user=request.user, **form.validated_data)
        url = reverse("api:job-detail", kwargs={"pk": job.id})
        return Response({"job_id": job.id, "status_url": url}, status=status.HTTP_202_ACCEPTED)
