from django import forms
from django.conf import settings

from .services import KINDS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=[(k, k.capitalize()) for k in KINDS])
    file = forms.FileField()
    source = forms.RegexField(
        regex=r"^[A-Za-z0-9_.\-]{1,64}$",
        initial="default",
        help_text="Name of the system the data came from; exec ids are unique per source.",
    )
    tz = forms.CharField(
        required=False,
        label="Time zone",
        help_text="Only for timestamps without a UTC offset, e.g. America/New_York.",
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        limit = settings.FOOTPRINT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the limit is {limit:,}."
            )
        return upload
