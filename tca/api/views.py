"""Read endpoints of the API; thin: they call selectors and serialise."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tca.costs.selectors import order_result_document
from tca.jobs.models import Job
from tca.orders.selectors import fill_list, order_get, order_list

from .permissions import require
from .serializers import FillSerializer, JobSerializer, OrderSerializer


class OrderListApi(generics.ListAPIView):
    serializer_class = OrderSerializer
    permission_classes = (require("orders.view_parentorder"),)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return order_list(user=self.request.user)


class OrderDetailApi(APIView):
    permission_classes = (require("orders.view_parentorder", "costs.view_costresult"),)

    @extend_schema(responses=OrderSerializer)
    def get(self, request: Request, order_id: str) -> Response:
        order = order_get(user=request.user, order_id=order_id)
        if order is None:
            raise Http404
        body = OrderSerializer(order).data
        body["result"] = order_result_document(order=order)
        return Response(body)


class FillListApi(generics.ListAPIView):
    serializer_class = FillSerializer
    permission_classes = (require("orders.view_fill"),)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return fill_list(user=self.request.user, order_id=self.request.query_params.get("order"))


class JobDetailApi(generics.RetrieveAPIView):
    """Status, progress and result of a job the user started (or any, with audit rights)."""

    serializer_class = JobSerializer
    permission_classes = (require("jobs.view_job"),)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        user = self.request.user
        qs = Job.objects.all()
        if user.has_perm("jobs.view_ingestaudit"):
            return qs
        return qs.filter(created_by=user)
