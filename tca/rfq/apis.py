"""``/api/v1/rfq/dealers/``: the dealer scorecard as JSON. Thin view."""

from __future__ import annotations

import dataclasses

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tca.api.permissions import require

from .selectors import dealer_scorecard

READ = ("orders.view_parentorder", "costs.view_costresult")


class EstimateSerializer(serializers.Serializer):
    mean = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()


class DealerScoreSerializer(serializers.Serializer):
    dealer = serializers.CharField()
    quotes = serializers.IntegerField()
    wins = serializers.IntegerField()
    hit_rate = EstimateSerializer()
    markup_bps = EstimateSerializer()
    markup_vs_lit_bps = EstimateSerializer()
    markouts_bps = serializers.DictField(child=EstimateSerializer())
    response_s_median = serializers.FloatField(allow_null=True)
    response_s_p90 = serializers.FloatField(allow_null=True)
    flagged = serializers.IntegerField()


class PeriodSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class DealerScorecardApi(APIView):
    """Hit rate, markups, markouts after the trade and response times per dealer."""

    permission_classes = (require(*READ),)

    @extend_schema(
        parameters=[OpenApiParameter("date_from", str), OpenApiParameter("date_to", str)],
        responses={200: DealerScoreSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        rows = dealer_scorecard(**period.validated_data)
        data = [
            {**dataclasses.asdict(r), "markouts_bps": {str(h): dataclasses.asdict(e)
                                                      for h, e in r.markouts_bps.items()}}
            for r in rows
        ]  # fmt: skip
        return Response(DealerScoreSerializer(data, many=True).data)
