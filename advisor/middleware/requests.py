"""Requests Crossroads refuses before any view reads them.

- Too large (413): a body over REQUEST_MAX_BODY_BYTES is refused from its Content-Length,
  before a byte of it is read. A view marked `@accepts_uploads("SETTING")` also takes files
  weighing up to that setting, and only such a view takes file parts at all. The body may
  exceed the files' limit by the ordinary allowance, so an upload a little over it still
  reaches its form, which says next to the field by how much.
- Unreadable (400): a NUL character or bytes that are not UTF-8 in the path, the query
  string or a form field. PostgreSQL cannot store a NUL in text and refuses it in a query
  parameter, and undecodable bytes would otherwise turn silently into replacement marks.
  (Cookies are left alone: a bad one is simply not understood.) A request declaring a
  character set other than UTF-8 is refused too: Django would decode its query string and
  form with it, and in UTF-7, say, `+AAA-` is a NUL that no check of the bytes would see.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http.multipartparser import MultiPartParserError
from django.template.defaultfilters import filesizeformat

from advisor.views.errors import error_page

UNREADABLE = (
    "Crossroads could not read this request: {where} holds a NUL character or bytes that are "
    "not UTF-8 text. Check what was typed or pasted there and try again."
)


# Django hands views the path decoded, with each byte that is not UTF-8 percent-encoded
# again (`repercent_broken_unicode`): always a byte from 0x80 up. No Crossroads address holds
# a percent sign, so one of these can only be such a byte (or a client's %25 before one).
BROKEN_UTF8_IN_PATH = re.compile(r"%[89a-fA-F][0-9a-fA-F]")


def declares_other_charset(request) -> bool:
    """Whether the request's Content-Type names a character set other than UTF-8, which
    Django would then decode the query string and the form with. (Even ASCII: Django fails
    on a query string holding anything else.)"""
    if not request.encoding:
        return False
    try:
        name = codecs.lookup(request.encoding).name
    except LookupError:
        return True
    return name != "utf-8"


def accepts_uploads(limit_setting: str) -> Callable:
    """Mark a view that takes files, weighing together at most the number of bytes in the
    setting `limit_setting` (read on each request)."""

    def mark(view: Callable) -> Callable:
        view.accepts_uploads = limit_setting
        return view

    return mark


def too_large(message: str):
    return error_page(413, message + " Nothing was saved.", title="Request too large")


def unreadable(where: str):
    return error_page(400, UNREADABLE.format(where=where), title="Request not readable")


def _content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads no body then either


FORM_ERRORS = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError)


def form_error_page(error: Exception):
    """The page for a form Django refused to parse."""
    if isinstance(error, RequestDataTooBig):
        size = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return too_large(f"The form's fields weigh more than {size} together.")
    if isinstance(error, TooManyFieldsSent):
        most = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return too_large(f"The form sent more than {most} fields.")
    if isinstance(error, TooManyFilesSent):
        most = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return too_large(f"The form sent more than {most} files.")
    return error_page(
        400, "Crossroads could not read the form this request sent.", title="Request not readable"
    )


class _RefuseFiles(FileUploadHandler):
    """Skips every file part and remembers that there was one."""

    saw_file = False

    def new_file(self, *args, **kwargs) -> None:
        self.saw_file = True
        raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        return None

    def file_complete(self, file_size):
        return None


class RequestBodyMiddleware:
    """413 for a body over the limits or a file where none is taken, 400 for unreadable form
    fields. Its process_view reads the body, after the size check: keep it above
    CsrfViewMiddleware, which reads form fields in its own process_view."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        upload_setting = getattr(view_func, "accepts_uploads", None)
        limit = settings.REQUEST_MAX_BODY_BYTES
        if upload_setting:
            limit += getattr(settings, upload_setting)
        length = _content_length(request)
        if length > limit:
            return too_large(
                f"This request weighs {filesizeformat(length)}; this page takes at most "
                f"{filesizeformat(limit)}."
            )
        if request.method != "POST":
            return None
        refuse_files = None
        if not upload_setting and request.content_type == "multipart/form-data":
            refuse_files = _RefuseFiles(request)
            request.upload_handlers = [refuse_files]
        try:
            if request.content_type == "application/x-www-form-urlencoded":
                readable = _readable_form(request.body)
            else:
                readable = _readable_fields(request)
        except FORM_ERRORS as error:
            return form_error_page(error)
        if refuse_files and refuse_files.saw_file:
            return too_large("This page takes no files.")
        return None if readable else unreadable("the form it sent")


class UnreadableInputMiddleware:
    """400 for a NUL or undecodable bytes in the path or the query string, before any other
    code sees them. (Form fields: RequestBodyMiddleware, once the body's size is known.)"""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or BROKEN_UTF8_IN_PATH.search(request.path_info):
            return unreadable("its address")
        if declares_other_charset(request):
            return error_page(
                400, "Crossroads reads requests in UTF-8 only, and this one declares another "
                "character set in its Content-Type.", title="Request not readable",
            )  # fmt: skip
        query = request.META.get("QUERY_STRING", "").encode("iso-8859-1", "replace")
        try:
            readable = not query or _readable_form(query)
        except TooManyFieldsSent:
            return error_page(
                400, f"Its address holds more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} "
                "values.", title="Request not readable",
            )  # fmt: skip
        if not readable:
            return unreadable("its address (the part after “?”)")
        return self.get_response(request)


def _readable_bytes(raw: bytes) -> bool:
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _readable_form(raw: bytes) -> bool:
    """A query string or URL-encoded body: UTF-8 and free of NUL, before and after
    percent-decoding."""
    if not _readable_bytes(raw):
        return False
    try:
        pairs = parse_qsl(
            raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict",
            max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        )  # fmt: skip
    except UnicodeDecodeError:
        return False
    except ValueError as error:  # more fields than allowed
        raise TooManyFieldsSent(str(error)) from error
    return not any("\x00" in key or "\x00" in value for key, value in pairs)


def _readable_fields(request) -> bool:
    """A multipart form's fields and file names (Django has already decoded them, turning
    undecodable bytes into replacement marks, so only a NUL is left to find)."""
    for key, values in request.POST.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return False
    return not any(
        "\x00" in (upload.name or "") for uploads in request.FILES.lists() for upload in uploads[1]
    )
