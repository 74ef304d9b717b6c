"""``POST /api/v1/pretrade/estimate/``: thin view over ``pretrade_estimate_create``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tca.api.permissions import require

from .conf import pretrade_conf
from .selectors import MissingInput
from .services import pretrade_estimate_create, pretrade_request

SIDES = {"buy": 1, "b": 1, "1": 1, "sell": -1, "s": -1, "2": -1}


class EstimateRequestSerializer(serializers.Serializer):
    symbol = serializers.CharField(max_length=32)
    side = serializers.CharField(max_length=4, help_text="buy or sell (also B/S, FIX 1/2)")
    quantity = serializers.FloatField(min_value=1e-9, max_value=1e12)
    start_time = serializers.DateTimeField(help_text="ISO 8601 with a UTC offset")
    horizon_minutes = serializers.FloatField(
        required=False, min_value=1, max_value=5 * 24 * 60, help_text="or give end_time"
    )
    end_time = serializers.DateTimeField(required=False)
    threshold_bps = serializers.FloatField(required=False, min_value=-1e4, max_value=1e4)
    risk_aversion = serializers.FloatField(
        required=False, min_value=0, max_value=1e3, help_text="λ of the optimal schedule"
    )
    strategy = serializers.ChoiceField(
        choices=("aggressive", "balanced", "passive", "optimal"), required=False,
        default="balanced", help_text="the strategy the trader intends (for pre/post)",
    )  # fmt: skip
    order_ref = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="",
        help_text="the order id the order will carry, to compare with its realised cost",
    )  # fmt: skip

    def validate_side(self, value: str) -> int:
        side = SIDES.get(value.strip().lower())
        if side is None:
            raise serializers.ValidationError("side must be buy or sell")
        return side


class StrategyRowSerializer(serializers.Serializer):
    strategy = serializers.CharField()
    participation = serializers.FloatField(allow_null=True)
    temporary_bps = serializers.FloatField(allow_null=True)
    permanent_bps = serializers.FloatField(allow_null=True)
    total_bps = serializers.FloatField(allow_null=True)
    std_bps = serializers.FloatField(allow_null=True)
    q05_bps = serializers.FloatField(allow_null=True)
    q50_bps = serializers.FloatField(allow_null=True)
    q95_bps = serializers.FloatField(allow_null=True)
    p_exceed = serializers.FloatField(allow_null=True)
    duration_s = serializers.FloatField()
    model_version = serializers.CharField(allow_null=True)
    flags = serializers.ListField(child=serializers.CharField())


class EstimateResponseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    symbol = serializers.CharField()
    side = serializers.CharField()
    quantity = serializers.FloatField()
    start = serializers.CharField()
    horizon_s = serializers.FloatField()
    threshold_bps = serializers.FloatField()
    risk_aversion = serializers.FloatField()
    inputs = serializers.ListField(child=serializers.DictField())
    model = serializers.DictField()
    strategies = StrategyRowSerializer(many=True)
    optimal = serializers.DictField(help_text="schedule, frontier, twap, immediate, coefficients")
    flags = serializers.ListField(child=serializers.CharField())


def request_from(data: dict) -> object:  # type: ignore[type-arg]
    return pretrade_request(
        symbol=data["symbol"].strip(),
        side=data["side"],
        quantity=data["quantity"],
        start=data["start_time"],
        horizon_s=data["horizon_minutes"] * 60 if data.get("horizon_minutes") else None,
        end=data.get("end_time"),
        threshold_bps=data.get("threshold_bps"),
        risk_aversion=data.get("risk_aversion"),
        conf=pretrade_conf(),
    )


class PretradeEstimateApi(APIView):
    """Expected cost and its distribution per strategy; the estimate is stored."""

    permission_classes = (require("pretrade.run_pretrade"),)

    @extend_schema(request=EstimateRequestSerializer, responses={201: EstimateResponseSerializer})
    def post(self, request: Request) -> Response:
        form = EstimateRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        try:
            estimate = pretrade_estimate_create(
                user=request.user,
                request=request_from(data),  # type: ignore[arg-type]
                strategy=data["strategy"],
                order_ref=data["order_ref"],
            )
        except MissingInput as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(estimate.outputs, status=status.HTTP_201_CREATED)
