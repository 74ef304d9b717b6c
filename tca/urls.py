from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from models_app import views as models_views
from tca.rfq import views as rfq_views

urlpatterns = [
    path("", include("reports.urls")),
    path("ingest/", include("tca.ingestion.urls")),
    path("pretrade/", include("tca.pretrade.urls")),
    path("execution/", models_views.execution_agent, name="execution_agent"),
    path("rfq/", rfq_views.scorecard, name="rfq_scorecard"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("tca.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("tca.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view loads its initialiser as a script file: no inline code under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("health/", include("tca.api.health_urls")),
]
