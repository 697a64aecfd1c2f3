"""Importing the registry from a spreadsheet: upload, read the dry run, fix the file or
confirm the merges, import. The same service as ``POST /api/imports/``."""

from __future__ import annotations

import io
import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from accounts.imports.reading import MAX_BYTES
from accounts.imports.services import ImportResult, registry_import
from accounts.imports.template import template_workbook
from frontend.views.coordinator.common import coordinator_of, coordinator_required, service_errors

# A checked file waits this long for the coordinator to import it, without being sent again.
PENDING_SECONDS = 60 * 60
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Who is in the file"),
        choices=[("hosts", gettext_lazy("Host families")), ("students", gettext_lazy("Students"))],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (XLSX or CSV)"),
        help_text=gettext_lazy("At most 2 MB; the first sheet, its first row the headers."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv," + XLSX_TYPE}),
    )


class CommitForm(forms.Form):
    pending = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm_merges = forms.BooleanField(
        label=gettext_lazy("I have checked the rows to merge: they are the same people."),
        required=False,
    )


def _pending_key(request: HttpRequest, token: str) -> str:
    # Keyed by the coordinator too: another's token finds nothing.
    return f"registry-import:{coordinator_of(request).pk}:{token}"


def _dry_run_page(
    request: HttpRequest, form: ImportForm, result: ImportResult | None, pending: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "result": result,
        "counts": {a: result.count(a) for a in ("create", "update", "merge", "refuse")}
        if result
        else {},
        "commit_form": CommitForm(initial={"pending": pending}) if pending else None,
        "max_mb": MAX_BYTES // (1024 * 1024),
    }
    return render(request, "frontend/coordinator/imports.html", context)


@coordinator_required
@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """GET: the upload form and the templates. POST: a dry run of the file; when no row is
    refused the file waits (in the cache, for an hour) for the coordinator to import it."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _dry_run_page(request, form, None)
    upload = form.cleaned_data["file"]
    data = upload.read(MAX_BYTES + 1)
    result = None
    with service_errors(form) as outcome:
        result = registry_import(
            kind=form.cleaned_data["kind"],
            upload=io.BytesIO(data),
            filename=upload.name or "",
            commit=False,
            by=coordinator_of(request),
        )
    if not outcome.ok or result is None:
        return _dry_run_page(request, form, None)
    pending = ""
    if result.count("refuse") == 0:
        pending = secrets.token_urlsafe(24)
        cache.set(
            _pending_key(request, pending),
            {"kind": form.cleaned_data["kind"], "name": upload.name or "", "data": data},
            PENDING_SECONDS,
        )
    return _dry_run_page(request, form, result, pending)


@coordinator_required
@require_http_methods(["POST"])
def import_commit(request: HttpRequest) -> HttpResponse:
    """Import the checked file in one transaction. It is checked again first (the registry
    may have changed), and a file with merges needs the coordinator's tick."""
    form = CommitForm(request.POST)
    stored = (
        cache.get(_pending_key(request, form.data.get("pending", ""))) if form.is_valid() else None
    )
    if stored is None:
        messages.error(request, _("That check has expired: upload the file again."))
        return redirect("frontend:coordinator:imports")
    pending = form.cleaned_data["pending"]

    def run(commit: bool) -> ImportResult:
        return registry_import(
            kind=stored["kind"],
            upload=io.BytesIO(stored["data"]),
            filename=stored["name"],
            commit=commit,
            by=coordinator_of(request),
        )

    upload_form = ImportForm(initial={"kind": stored["kind"]})
    with service_errors(upload_form) as outcome:
        result = run(commit=False)
        if result.count("merge") and not form.cleaned_data["confirm_merges"]:
            messages.error(
                request,
                _("Tick the box to confirm the merges, or fix the file and check it again."),
            )
            return _dry_run_page(request, upload_form, result, pending)
        result = run(commit=True)
    if not outcome.ok or not result.committed:
        if outcome.ok:
            messages.error(
                request, _("The registry changed since the check: nothing was imported.")
            )
        return _dry_run_page(request, upload_form, result if outcome.ok else None)
    cache.delete(_pending_key(request, pending))
    messages.success(
        request,
        ngettext(
            "Imported %(rows)d row: %(created)d new people invited, %(updated)d updated, "
            "%(merged)d merged.",
            "Imported %(rows)d rows: %(created)d new people invited, %(updated)d updated, "
            "%(merged)d merged.",
            len(result.rows),
        )
        % {
            "rows": len(result.rows),
            "created": result.count("create"),
            "updated": result.count("update"),
            "merged": result.count("merge"),
        },
    )
    return redirect("frontend:coordinator:imports")


@coordinator_required
@require_GET
def import_template(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    """The empty registry for ``kind`` with headers in ``language``, and an example row."""
    if kind not in ("hosts", "students") or language not in ("ja", "en"):
        raise Http404
    response = HttpResponse(template_workbook(kind=kind, language=language), XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="engawa-{kind}-{language}.xlsx"'
    return response
