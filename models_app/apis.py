"""``/api/v1/models/``: the registry, retraining (→ job id) and promotion. Thin views."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tca.api.permissions import require
from tca.api.serializers import JobCreatedSerializer

from .execution_training import KIND as EXECUTION_POLICY
from .execution_training import execution_policy_train_submit
from .impact.catalog import KINDS
from .models import ModelVersion, PromotionEvent
from .selectors import model_version_list
from .services import model_version_promote
from .training import models_retrain_submit


class PromotionSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", default=None)

    class Meta:
        model = PromotionEvent
        fields = ("from_status", "to_status", "user", "note", "created_at")


class ModelVersionSerializer(serializers.ModelSerializer):
    triggered_by = serializers.CharField(source="triggered_by.username", default=None)
    status = serializers.CharField(read_only=True, help_text="candidate, champion or retired")
    job_id = serializers.UUIDField(allow_null=True)
    summary = serializers.SerializerMethodField()
    promotions = PromotionSerializer(many=True, read_only=True)

    class Meta:
        model = ModelVersion
        fields = (
            "id", "version", "kind", "track", "status", "hyperparameters", "train_start",
            "train_end", "holdout_start", "holdout_end", "n_rows", "data_sha256", "code_version",
            "artifact_path", "artifact_sha256", "triggered_by", "job_id", "created_at", "summary",
            "promotions",
        )  # fmt: skip

    def get_summary(self, obj: ModelVersion) -> dict:  # type: ignore[type-arg]
        """Headline metrics; the full set is at the detail endpoint."""
        m = obj.metrics
        return {
            "holdout": m.get("holdout", {}).get("total_bps"),
            "walk_forward": m.get("walk_forward", {}).get("total_bps"),
            "lift_over_sqrt": m.get("walk_forward", {}).get("lift_over_sqrt"),
            "beats_champion": m.get("beats_champion"),
            "parameters": {
                k: v for k, v in m.get("parameters", {}).items() if not isinstance(v, dict)
            },
        }


class ModelVersionDetailSerializer(ModelVersionSerializer):
    class Meta(ModelVersionSerializer.Meta):
        fields = (*ModelVersionSerializer.Meta.fields, "metrics")


class ModelVersionListApi(generics.ListAPIView):
    serializer_class = ModelVersionSerializer
    permission_classes = (require("models_app.view_modelversion"),)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return model_version_list().prefetch_related("promotions__user")


class ModelVersionDetailApi(generics.RetrieveAPIView):
    serializer_class = ModelVersionDetailSerializer
    permission_classes = (require("models_app.view_modelversion"),)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return model_version_list().prefetch_related("promotions__user")


class RetrainSerializer(serializers.Serializer):
    all_kinds = serializers.BooleanField(required=False, default=False)


class ModelRetrainApi(APIView):
    """Queue challengers of this version's kind (or of every kind) on the training queue."""

    permission_classes = (require("models_app.view_modelversion", "models_app.train_model"),)

    @extend_schema(request=RetrainSerializer, responses={202: JobCreatedSerializer})
    def post(self, request: Request, pk: int) -> Response:
        version = get_object_or_404(ModelVersion, pk=pk)
        form = RetrainSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        if version.kind == EXECUTION_POLICY and not form.validated_data["all_kinds"]:
            return _accepted(execution_policy_train_submit(user=request.user))
        kinds = list(KINDS) if form.validated_data["all_kinds"] else [version.kind]
        job = models_retrain_submit(user=request.user, kinds=kinds, reason=f"api: {version}")
        return _accepted(job)


def _accepted(job) -> Response:  # type: ignore[no-untyped-def]
    url = reverse("api:job-detail", kwargs={"pk": job.id})
    return Response({"job_id": job.id, "status_url": url}, status=status.HTTP_202_ACCEPTED)


class ExecutionPolicyTrainSerializer(serializers.Serializer):
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    batches = serializers.IntegerField(required=False, min_value=1, max_value=20_000)
    batch_size = serializers.IntegerField(required=False, min_value=8, max_value=8192)


class ExecutionPolicyTrainApi(APIView):
    """Train the execution agent in the simulator (a job on the training queue)."""

    permission_classes = (require("models_app.view_modelversion", "models_app.train_model"),)

    @extend_schema(request=ExecutionPolicyTrainSerializer, responses={202: JobCreatedSerializer})
    def post(self, request: Request) -> Response:
        form = ExecutionPolicyTrainSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return _accepted(execution_policy_train_submit(user=request.user, **form.validated_data))


class PromoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ModelPromoteApi(APIView):
    """Make this version its track's champion (four-eyes: not the user who trained it)."""

    permission_classes = (require("models_app.view_modelversion", "models_app.promote_model"),)

    @extend_schema(request=PromoteSerializer, responses={200: ModelVersionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        version = get_object_or_404(ModelVersion, pk=pk)
        form = PromoteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        promoted = model_version_promote(
            version=version, user=request.user, note=form.validated_data["note"] or "api"
        )
        return Response(ModelVersionSerializer(promoted).data)
