"""Local image files as reference images: files in.

A reference-image field (``image_url``...) takes public URLs. Where the model's docs also allow
a base64 data URI, it takes a local image too: a :class:`pathlib.Path` (or any
:class:`os.PathLike`), ``bytes``/``bytearray``/``memoryview``, or a binary file object opened
for reading. :func:`encode_image_fields` turns each into
``data:image/<type>;base64,<data>`` before anything is sent, after two checks:

- the type is sniffed from the first bytes (PNG, JPEG, WebP, GIF), never taken from a file
  name; it must be one the docs list (:data:`DATA_URI_FORMATS`: ``jpeg``, ``png``, ``webp``);
- the file holds at most :data:`MAX_IMAGE_BYTES` bytes (the docs' "10 MB each").

A local file given to a field whose docs only speak of public URLs is refused with a
:class:`~aireiter.ParamError` that says so (upload it somewhere public and pass the URL). A
string is never read as a path: strings are URLs (or data URIs) and pass through unchanged.

Which fields take data URIs is :data:`DATA_URI_FIELDS`, one line per model, with its source;
a model whose page gains the sentence gets its line here.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from typing import IO, Any, Final, TypeAlias

from ._exceptions import ParamError, ParamIssue

__all__ = [
    "DATA_URI_FIELDS",
    "DATA_URI_FORMATS",
    "MAX_IMAGE_BYTES",
    "ImageFile",
    "encode_image_fields",
    "image_data_uri",
    "is_image_file",
    "sniff_image_type",
]

ImageFile: TypeAlias = os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]
"""A local image: a path, its bytes, or a binary file object opened for reading."""

DATA_URI_FIELDS: Final[Mapping[tuple[str, str], str]] = {
    ("seedream_v5_lite", "image_url"): (
        "docs: public URL or base64 data URI data:image/<fmt>;base64,... (jpeg, png, webp; "
        "10 MB each)"
    ),
    ("gpt_image_2_official", "image_url"): "docs: URL and base64 may be mixed",
    ("gpt_image_2", "image_url"): "a client's summary of the docs: URL and base64 may be mixed",
    ("nano_banana_v2", "image_url"): "a client's summary of the docs: public URL or data URI",
}
"""(model id, field) -> the source saying the field takes a base64 data URI."""

DATA_URI_FORMATS: Final = ("jpeg", "png", "webp")
"""Image types a data URI may carry (the only list the docs give, on seedream_v5_lite)."""

MAX_IMAGE_BYTES: Final = 10_000_000
"""The largest local image accepted, in bytes ("10 MB each" in the docs)."""

_ALLOWED = f"a local {', '.join(DATA_URI_FORMATS)} image of at most 10 MB, or a public URL"
_URL_ONLY = "a public http(s) image URL"


def sniff_image_type(data: bytes) -> str | None:
    """The image type the first bytes of ``data`` show (``"png"``, ``"jpeg"``, ``"webp"``,
    ``"gif"``), or ``None``."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    return None


def is_image_file(value: object) -> bool:
    """True for what :func:`image_data_uri` reads: a path object, bytes, or a file object
    (anything with ``read``); never for a string."""
    if isinstance(value, str):
        return False
    return isinstance(value, (os.PathLike, bytes, bytearray, memoryview)) or callable(
        getattr(value, "read", None)
    )


def _describe(source: object) -> str:
    """A short text for ``source`` in an error (never the bytes themselves)."""
    if isinstance(source, os.PathLike):
        return str(os.fspath(source))
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<{len(source)} bytes>"
    name = getattr(source, "name", None)
    return f"<file {name}>" if isinstance(name, str) else f"<{type(source).__name__}>"


def _read(source: object, field: str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``source`` (enough to tell it is too big)."""
    shown = _describe(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source[: limit + 1])
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        try:
            with open(path, "rb") as file:
                return file.read(limit + 1)
        except FileNotFoundError:
            raise ParamError.single(field, shown, "no such file") from None
        except IsADirectoryError:
            raise ParamError.single(field, shown, "is a directory, not an image file") from None
        except OSError as exc:
            problem = f"cannot be read: {exc.strerror or exc}"
            raise ParamError.single(field, shown, problem) from None
    read = getattr(source, "read", None)
    try:
        data = read(limit + 1) if callable(read) else None
    except (OSError, ValueError) as exc:  # closed, not readable ...
        raise ParamError.single(field, shown, f"cannot be read: {exc}") from None
    if isinstance(data, str):
        problem = "is a text file object: open the image in binary mode ('rb')"
        raise ParamError.single(field, shown, problem)
    if not isinstance(data, (bytes, bytearray, memoryview)):
        problem = "must be a path, bytes or a binary file object"
        raise ParamError.single(field, shown, problem, allowed=_ALLOWED)
    return bytes(data)


def image_data_uri(
    source: ImageFile,
    *,
    field: str = "image",
    max_bytes: int = MAX_IMAGE_BYTES,
    formats: tuple[str, ...] = DATA_URI_FORMATS,
) -> str:
    """``source`` (a path, bytes or a binary file object) as ``data:image/<type>;base64,...``.

    Raises :class:`~aireiter.ParamError` naming ``field`` when it cannot be read, is empty,
    holds more than ``max_bytes`` bytes, or is not an image of one of ``formats`` (sniffed
    from its first bytes).
    """
    data = _read(source, field, max_bytes)
    shown = _describe(source)
    allowed = ", ".join(formats)
    if not data:
        raise ParamError.single(field, shown, "is empty", allowed=allowed)
    if len(data) > max_bytes:
        problem = f"is larger than {max_bytes:,} bytes"
        raise ParamError.single(field, shown, problem, allowed=f"at most {max_bytes:,} bytes")
    kind = sniff_image_type(data)
    if kind is None:
        problem = "is not an image this SDK recognises (its first bytes are no PNG/JPEG/WebP/GIF)"
        raise ParamError.single(field, shown, problem, allowed=allowed)
    if kind not in formats:
        problem = f"is a {kind.upper()} image; the docs list only {allowed} for data URIs"
        raise ParamError.single(field, shown, problem, allowed=allowed)
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _encode(
    model_id: str, field: str, value: Any, allows_data_uri: bool
) -> tuple[Any, list[ParamIssue]]:
    """``value`` with every local file encoded (or the issues that stop it)."""
    if isinstance(value, (list, tuple)):
        items: list[Any] = []
        issues: list[ParamIssue] = []
        for index, item in enumerate(value):
            encoded, found = _encode(model_id, f"{field}[{index}]", item, allows_data_uri)
            items.append(encoded)
            issues += found
        return items if any(is_image_file(item) for item in value) else value, issues
    if not is_image_file(value):
        return value, []
    if not allows_data_uri:
        problem = (
            f"is a local file, but {model_id}'s docs allow only public image URLs here "
            "(no data URIs): upload the image and pass its http(s) URL"
        )
        return value, [ParamIssue(field, _describe(value), problem, _URL_ONLY)]
    try:
        return image_data_uri(value, field=field), []
    except ParamError as error:
        return value, list(error.issues)


def encode_image_fields(
    model_id: str, params: Mapping[str, Any], *, list_fields: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """``params`` with every local image (top level, or an item of a list) encoded as a data
    URI, for model ``model_id`` (the base id, no channel suffix).

    A local file where :data:`DATA_URI_FIELDS` has no line for the field is refused. A lone
    file given to a field named in ``list_fields`` (fields that take only a list) becomes a
    one-item list. Raises one :class:`~aireiter.ParamError` listing every problem.
    """
    out: dict[str, Any] = {}
    issues: list[ParamIssue] = []
    for key, value in params.items():
        allows = (model_id, key) in DATA_URI_FIELDS
        encoded, found = _encode(model_id, key, value, allows)
        if is_image_file(value) and key in list_fields and not found:
            encoded = [encoded]
        out[key] = encoded
        issues += found
    if issues:
        raise ParamError(issues, model=model_id)
    return out
