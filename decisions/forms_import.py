"""The form that uploads ADR files for import: a zip, one record, or a folder's files."""

from __future__ import annotations

import json
import posixpath

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from decisions.archive import ArchiveError
from decisions.services.uploads import max_upload_bytes, received_upload


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one input (none when it is optional and left empty)."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs) -> None:
        # An empty file is an ordinary part of a folder (a placeholder); the import says
        # what it makes of it, file by file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ImportUploadForm(forms.Form):
    """The upload page renders its inputs itself (`multiple`, and `webkitdirectory` for
    the folder), so the fields hold only what is checked here."""

    files = MultipleFileField(
        label="Files",
        required=False,
        help_text="A zip of the repository (or of its ADR folder), one .md or .json record, "
        "or several of them at once.",
    )
    folder = MultipleFileField(
        label="Or choose a folder",
        required=False,
        help_text="Every file in it and its subfolders is sent. Choose the folder that "
        "holds the records (such as doc/adr or docs/decisions), not the whole repository.",
    )
    # The folder's files as paths inside it, written by the page's script: browsers send
    # only file names, and the paths keep files of different subfolders apart.
    folder_paths = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        files: list[UploadedFile] = data.get("files") or []
        folder: list[UploadedFile] = data.get("folder") or []
        if self.errors:
            return data
        field = "files" if files or not folder else "folder"
        if not files and not folder:
            self.add_error(field, "Choose a zip, a Markdown or JSON record, or a folder.")
            return data
        size = sum(item.size or 0 for item in [*files, *folder])
        if size > max_upload_bytes():
            self.add_error(
                field,
                f"This upload is {filesizeformat(size)}; at most "
                f"{filesizeformat(max_upload_bytes())} can be uploaded at once. Upload only "
                "the folder of records, or split it.",
            )
            return data
        named = [(item.name, item.read()) for item in files]
        paths = self._folder_paths(folder)
        named += [(path, item.read()) for path, item in zip(paths, folder, strict=True)]
        try:
            data["upload"] = received_upload(named)
        except ArchiveError as error:
            self.add_error(field, str(error))
        return data

    def _folder_paths(self, folder: list[UploadedFile]) -> list[str]:
        """Each folder file's path inside the folder: as the script wrote them, or (without
        it) the file names, kept apart when two subfolders hold the same name."""
        try:
            said = json.loads(self.cleaned_data.get("folder_paths") or "[]")
        except ValueError:
            said = []
        if (
            isinstance(said, list)
            and len(said) == len(folder)
            and all(isinstance(path, str) and path for path in said)
        ):
            return said
        paths: list[str] = []
        for item in folder:
            name = posixpath.basename(item.name or "") or "file"
            path, copy = name, 1
            while path in paths:
                copy += 1
                path = f"{copy}/{name}"
            paths.append(path)
        return paths
