"""A member's data export: requested on their data page, built by a
background task into a ZIP (JSON for programs, an HTML page for people) in
the private storage, downloaded through a signed link bound to the member
until it expires, then deleted."""

import io
import json
import secrets
import zipfile
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from community.errors import CommunityError
from community.models import DataExport, DataExportStatus, Member
from community.personal_data import personal_data

TOKEN_SALT = "moim.data-export"
FOLDER = "moim-data"


def private_storage():
    return storages["private"]


def data_export_request(*, member: Member, now: datetime | None = None) -> DataExport:
    """Ask for a new export; the task that builds it is queued after
    commit. One request per MOIM_DATA_EXPORT_INTERVAL (a ZIP of
    everything is costly to build); raises CommunityError otherwise. Locks
    the member's row, so two requests at once make one export."""
    now = now or timezone.now()
    with transaction.atomic():
        Member.objects.select_for_update(no_key=True).filter(pk=member.pk).first()
        last = DataExport.objects.filter(member=member).first()
        interval = timedelta(seconds=settings.MOIM_DATA_EXPORT_INTERVAL)
        if last is not None and last.requested_at > now - interval:
            raise CommunityError(
                "data_export_too_soon",
                time=formats.date_format(
                    timezone.localtime(last.requested_at + interval),
                    "DATETIME_FORMAT",
                ),
            )
        export = DataExport.objects.create(member=member, requested_at=now)
        transaction.on_commit(
            lambda: data_export_build_task.enqueue(export_id=export.pk)
        )
    return export


def data_export_build(*, export_id: int, now: datetime | None = None) -> None:
    """Write the ZIP of a pending export, in the member's language. Safe to
    run twice: a ready or failed export is left alone."""
    now = now or timezone.now()
    export = (
        DataExport.objects.select_related("member")
        .filter(pk=export_id, status=DataExportStatus.PENDING)
        .first()
    )
    if export is None:
        return
    member = export.member
    try:
        with translation.override(member.language):
            content = archive_build(member=member, now=now)
        name = private_storage().save(
            f"exports/{secrets.token_urlsafe(24)}.zip", ContentFile(content)
        )
    except Exception:
        DataExport.objects.filter(pk=export.pk).update(status=DataExportStatus.FAILED)
        raise
    expires_at = now + timedelta(seconds=settings.MOIM_DATA_EXPORT_MAX_AGE)
    updated = DataExport.objects.filter(
        pk=export.pk, status=DataExportStatus.PENDING
    ).update(
        status=DataExportStatus.READY,
        file_name=name,
        ready_at=now,
        expires_at=expires_at,
    )
    if not updated:
        # The member left (or the export went) while it was built.
        private_storage().delete(name)
        return
    from events.scheduling import schedule

    schedule(data_export_expire_task, expires_at, export_id=export.pk)


def archive_build(*, member: Member, now: datetime) -> bytes:
    """The ZIP: data.json (every section) and index.html (the same, to
    read: escaped, with no external asset)."""
    sections = personal_data(member)
    data = {
        "generated_at": timezone.localtime(now).isoformat(),
        "member": member.public_id,
        **{s.key: value for s, value in sections},
    }
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    html = render_to_string(
        "community/personal_data_archive.html",
        {
            "member": member,
            "generated_at": now,
            "sections": [(s.key, s.title, value_html(value)) for s, value in sections],
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{FOLDER}/data.json", text)
        archive.writestr(f"{FOLDER}/index.html", html)
    return buffer.getvalue()


def value_html(value) -> SafeString:
    """A section's value as HTML, every text escaped: rows as a table, a
    record as a list of terms, lists as lists."""
    if value is None or value == "" or value == []:
        return format_html('<span class="none">{}</span>', "—")
    if isinstance(value, bool):
        return format_html("{}", _("yes") if value else _("no"))
    if isinstance(value, dict):
        return format_html(
            "<dl>{}</dl>",
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                ((k, value_html(v)) for k, v in value.items()),
            ),
        )
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        keys = list(value[0])
        head = format_html_join("", "<th>{}</th>", ((k,) for k in keys))
        body = format_html_join(
            "",
            "<tr>{}</tr>",
            (
                (
                    format_html_join(
                        "", "<td>{}</td>", ((value_html(row[k]),) for k in keys)
                    ),
                )
                for row in value
            ),
        )
        return format_html("<table><tr>{}</tr>{}</table>", head, body)
    if isinstance(value, list):
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((value_html(v),) for v in value)),
        )
    return format_html('<span class="text">{}</span>', value)


def data_export_expire(*, export_id: int, now: datetime | None = None) -> None:
    """Delete an expired export's file. Idempotent; runs as a scheduled job
    and whenever the member opens their data page."""
    now = now or timezone.now()
    for export in DataExport.objects.filter(pk=export_id, expires_at__lte=now):
        _file_delete(export)


def data_exports_expire(*, member: Member, now: datetime | None = None) -> None:
    now = now or timezone.now()
    for export in DataExport.objects.filter(member=member, expires_at__lte=now).exclude(
        file_name=""
    ):
        _file_delete(export)


def data_exports_delete(*, member: Member) -> None:
    """Every export of ``member``, rows and files (the files after commit:
    a rolled-back leaving keeps them)."""
    names = list(
        DataExport.objects.filter(member=member)
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )
    DataExport.objects.filter(member=member).delete()

    def delete_files():
        for name in names:
            private_storage().delete(name)

    transaction.on_commit(delete_files)


def _file_delete(export: DataExport) -> None:
    if export.file_name:
        private_storage().delete(export.file_name)
        DataExport.objects.filter(pk=export.pk).update(file_name="")


def data_export_token(export: DataExport) -> str:
    """The download link's key: the export and its member, signed and
    timestamped."""
    return signing.dumps(
        {"e": export.pk, "m": export.member.public_id}, salt=TOKEN_SALT, compress=True
    )


def data_export_open(*, member: Member, token: str, now: datetime | None = None):
    """The export a download link names, if it is ``member``'s and still
    downloadable, and its open file; CommunityError otherwise."""
    now = now or timezone.now()
    try:
        payload = signing.loads(
            token, salt=TOKEN_SALT, max_age=settings.MOIM_DATA_EXPORT_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise CommunityError("data_export_link_expired") from exc
    except signing.BadSignature as exc:
        raise CommunityError("data_export_link_invalid") from exc
    if not isinstance(payload, dict) or payload.get("m") != member.public_id:
        raise CommunityError("data_export_link_invalid")
    export = DataExport.objects.filter(pk=payload.get("e"), member=member).first()
    if export is None or export.status != DataExportStatus.READY:
        raise CommunityError("data_export_link_invalid")
    if not export.file_name or export.expires_at <= now:
        raise CommunityError("data_export_link_expired")
    return export, private_storage().open(export.file_name, "rb")


@task()
def data_export_build_task(*, export_id: int) -> None:
    data_export_build(export_id=export_id)


@task()
def data_export_expire_task(*, export_id: int) -> None:
    data_export_expire(export_id=export_id)
