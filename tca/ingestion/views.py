"""The upload page for traders and the job page that follows an upload."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tca.jobs.models import Job

from .forms import UploadForm
from .jobs import ingest_job_submit


@permission_required("orders.ingest_data", raise_exception=True)
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = ingest_job_submit(
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            user=request.user,
            source=form.cleaned_data["source"],
            tz=form.cleaned_data["tz"] or None,
        )
        return redirect("ingestion:job", job_id=job.id)
    return render(request, "ingestion/upload.html", {"form": form})


@permission_required("jobs.view_job", raise_exception=True)
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    qs = Job.objects.all()
    if not request.user.has_perm("jobs.view_ingestaudit"):
        qs = qs.filter(created_by=request.user)
    job = qs.filter(id=job_id).first()
    if job is None:
        raise Http404
    return render(request, "ingestion/job.html", {"job": job})
