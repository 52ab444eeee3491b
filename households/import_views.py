"""Import pages: upload a household or hamlet list, preview every row, map the columns, confirm.

Who may import is `teams.access` (can_import_households, can_import_hamlets);
an upload is its uploader's alone, anyone else gets a 404. The preview is
computed from the stored file each time it is shown, never kept in the
session; the confirmation reads the file once more and stores it in one
transaction.
"""

import contextlib
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from teams.access import can_import_hamlets, can_import_households, scope_for
from teams.audit import access_log
from teams.models import AccessLog

from . import hamlet_imports, imports
from .import_files import MAX_BYTES, MAX_ROWS, XLSX_MAGIC, too_large_message, xlsx_to_csv
from .import_rows import Outcome
from .import_sheets import XLSX_TYPE, register_workbook, template_workbook
from .models import Commune, ImportRecord

ROWS_PER_PAGE = 100
KINDS = {
    ImportRecord.Kind.HOUSEHOLDS: (can_import_households, imports.COLUMNS),
    ImportRecord.Kind.HAMLETS: (can_import_hamlets, hamlet_imports.COLUMNS),
}


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("List (xlsx or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt", "data-max-bytes": MAX_BYTES}),
    )
    commune = forms.ModelChoiceField(
        label=gettext_lazy("Commune"),
        queryset=Commune.objects.none(),
        error_messages={"invalid_choice": gettext_lazy("Choose one of the options in the list.")},
    )

    def __init__(self, *args, communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = communes
        first_two = list(communes[:2])
        self.only_commune = first_two[0] if len(first_two) == 1 else None
        if self.only_commune is not None:
            del self.fields["commune"]  # a commune official's or a leader's one commune: nothing to choose

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(too_large_message(upload.size))
        if not upload.name.lower().endswith((".xlsx", ".csv", ".txt")):
            raise ValidationError(_("Upload an Excel file (.xlsx) or a CSV file (.csv)."))
        return upload


def _importer(request, kind):
    """The user's scope, when they may import lists of this kind; a 404 otherwise."""
    may_import, _columns = KINDS[kind]
    if not may_import(request.user):
        raise Http404("Imports are for commune officials, team leaders and administrators.")
    return scope_for(request.user)


def _upload(request, kind, template_name):
    scope = _importer(request, kind)
    communes = scope.communes().order_by("name")
    form = UploadForm(request.POST or None, request.FILES or None, communes=communes)
    if kind == ImportRecord.Kind.HAMLETS and "commune" in form.fields:
        # An administrator's hamlet list may span communes, each row naming its own.
        form.fields["commune"].required = False
        form.fields["commune"].empty_label = _("The commune named on each row")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        if content.startswith(XLSX_MAGIC):
            with contextlib.suppress(ValidationError):  # kept as it came: the preview says why it cannot be read
                content = xlsx_to_csv(content)
        remembered = ImportRecord.objects.filter(user=request.user, kind=kind).exclude(column_map={}).first()
        record = ImportRecord.objects.create(
            token=uuid.uuid4(),
            kind=kind,
            user=request.user,
            commune=form.cleaned_data.get("commune") or form.only_commune,
            file_name=upload.name[-200:],
            content=content,
            column_map=remembered.column_map if remembered else {},
        )
        return redirect("households:import_preview", token=record.token)
    context = {"form": form, "kind": kind, "max_rows": MAX_ROWS, "max_mb": MAX_BYTES // 1024 // 1024}
    context["columns"] = KINDS[kind][1]
    context["commune"] = scope.commune
    return render(request, template_name, context)


@login_required
def household_import(request):
    return _upload(request, ImportRecord.Kind.HOUSEHOLDS, "households/import_upload.html")


@login_required
def hamlet_import(request):
    return _upload(request, ImportRecord.Kind.HAMLETS, "households/import_upload.html")


def _xlsx(content, filename):
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def import_template(request):
    scope = _importer(request, ImportRecord.Kind.HOUSEHOLDS)
    hamlet = scope.hamlets().order_by("name").first()
    return _xlsx(template_workbook(hamlet_name=hamlet.name if hamlet else "Ấp 1"), "mau-danh-sach-ho.xlsx")


@login_required
def import_register_export(request):
    """The register of one commune (a leader: their hamlets) in the template's layout."""
    scope = _importer(request, ImportRecord.Kind.HOUSEHOLDS)
    commune = get_object_or_404(scope.communes(), code=request.GET.get("commune") or getattr(scope.commune, "code", ""))
    households = scope.households().filter(hamlet__commune=commune)
    access_log(request=request, action=AccessLog.Action.EXPORT, province=commune.province_id, unit=commune)
    content = register_workbook(households=households, with_phones=scope.handles_personal_data)
    return _xlsx(content, f"danh-sach-ho-{commune.code}.xlsx")


def _record(request, token):
    """The user's own upload, while they may still import its kind; a 404 for anyone else."""
    record = get_object_or_404(ImportRecord.objects.select_related("commune"), token=token, user=request.user)
    scope = _importer(request, record.kind)
    if record.commune_id and not scope.communes().filter(pk=record.commune_id).exists():
        raise Http404("Not in the user's scope.")
    return scope, record


def _preview(scope, record):
    if record.kind == ImportRecord.Kind.HOUSEHOLDS:
        return imports.households_preview(
            content=bytes(record.content),
            file_name=record.file_name,
            hamlets=scope.hamlets().filter(commune=record.commune),
            remembered=record.column_map,
            shows_phones=scope.handles_personal_data,
        )
    return hamlet_imports.hamlets_preview(
        content=bytes(record.content),
        file_name=record.file_name,
        communes=scope.communes(),
        commune=record.commune,
        remembered=record.column_map,
    )


def _upload_url(record):
    return reverse("households:import" if record.kind == ImportRecord.Kind.HOUSEHOLDS else "households:hamlet_import")


@login_required
def import_preview(request, token):
    scope, record = _record(request, token)
    context = {"record": record, "upload_url": _upload_url(record), "outcomes": Outcome}
    if record.confirmed_at is not None:
        return render(request, "households/import_done.html", context)
    try:
        preview, table, mapping = _preview(scope, record)
    except ValidationError as e:
        context["file_errors"] = e.messages
        return render(request, "households/import_preview.html", context)
    show = request.GET.get("show", "")
    rows = [r for r in preview.rows if r.outcome == show] if show in Outcome.values else preview.rows
    columns = KINDS[record.kind][1]
    context.update(
        preview=preview,
        counts=preview.counts,
        show=show,
        page=Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page")),
        duplicates=[r for r in preview.rows if r.outcome == Outcome.DUPLICATE],
        file_errors=preview.file_errors,
        headers=[(index, header, mapping.get(index, "")) for index, header in enumerate(table.headers)],
        columns=columns,
        to_store=sum(preview.counts[o] for o in (Outcome.NEW, Outcome.UPDATE)),
    )
    return render(request, "households/import_preview.html", context)


@login_required
@require_POST
def import_columns(request, token):
    """Match the file's columns to ours; remembered for the user's next file with these headers."""
    scope, record = _record(request, token)
    if record.confirmed_at is not None:
        raise Http404("Already imported.")
    preview, table, _mapping = _preview(scope, record)
    keys = {c.key for c in KINDS[record.kind][1]}
    column_map = {}
    for index, header in enumerate(table.headers):
        key = request.POST.get(f"column_{index}", "")
        column_map[header] = key if key in keys else ""
    chosen = [key for key in column_map.values() if key]
    if len(chosen) != len(set(chosen)):
        messages.error(request, _("Each of our columns can be matched to one column of the file only."))
    else:
        record.column_map = column_map
        record.save(update_fields=["column_map"])
        messages.success(request, _("Columns matched. The preview below uses them."))
    return redirect("households:import_preview", token=record.token)


@login_required
@require_POST
def import_confirm(request, token):
    scope, record = _record(request, token)
    if record.confirmed_at is not None:
        return redirect("households:import_preview", token=record.token)
    skip_errors = request.POST.get("skip_errors") == "1"
    try:
        if record.kind == ImportRecord.Kind.HOUSEHOLDS:
            include = {int(n) for n in request.POST.getlist("include_duplicate") if n.isdigit()}
            imports.households_import_confirm(
                record=record,
                user=request.user,
                hamlets=scope.hamlets().filter(commune=record.commune),
                include_duplicates=include,
                skip_errors=skip_errors,
                shows_phones=scope.handles_personal_data,
            )
        else:
            hamlet_imports.hamlets_import_confirm(record=record, communes=scope.communes(), skip_errors=skip_errors)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, message)
    return redirect("households:import_preview", token=record.token)
