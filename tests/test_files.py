"""Files in: local reference images (a Path, bytes, a binary file) reach the API as data URIs
where the model's docs allow them, checked before the wire; refused, saying why, elsewhere."""

from __future__ import annotations

import base64
import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from aireiter import AsyncAIReiter, ParamError
from aireiter._files import (
    DATA_URI_FIELDS,
    MAX_IMAGE_BYTES,
    image_data_uri,
    is_image_file,
    sniff_image_type,
)
from aireiter._spec import load_spec
from aireiter.emulator import RunningEmulator
from tests.cli.conftest import cli_env, run_cli


def _png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 16
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"


def _uri(kind: str, data: bytes) -> str:
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


def test_the_type_is_sniffed_from_the_bytes_never_the_name(tmp_path: Path) -> None:
    """PNG, JPEG, WebP and GIF are told by their first bytes; a PNG named .jpg is a PNG;
    strings are never files."""
    assert [sniff_image_type(d) for d in (PNG, JPEG, WEBP, GIF, b"hello")] == [
        "png",
        "jpeg",
        "webp",
        "gif",
        None,
    ]
    lying = tmp_path / "cat.jpg"
    lying.write_bytes(PNG)
    assert image_data_uri(lying) == _uri("png", PNG)
    assert not is_image_file("./cat.png")
    assert all(is_image_file(v) for v in (lying, PNG, bytearray(PNG), io.BytesIO(PNG)))


def test_every_data_uri_field_is_a_reference_image_field_of_the_spec() -> None:
    """The table of fields that take data URIs names real image fields of the spec."""
    models = load_spec().models
    for model_id, field in DATA_URI_FIELDS:
        param = models[model_id].param(field)
        assert param is not None, (model_id, field)
        assert param.format == "image", (model_id, field)


async def test_local_images_reach_the_api_as_data_uris(
    client: AsyncAIReiter, emulator: RunningEmulator, tmp_path: Path
) -> None:
    """A Path, bytes, a BytesIO and a file opened 'rb' each arrive as the data URI of their
    bytes, in order, beside a public URL sent as given."""
    (tmp_path / "cat.png").write_bytes(PNG)
    (tmp_path / "dog.webp").write_bytes(WEBP)
    with (tmp_path / "dog.webp").open("rb") as opened:
        task = await client.images.seedream_v5_lite.submit(
            prompt="these animals, together",
            image_url=[
                tmp_path / "cat.png",
                JPEG,
                io.BytesIO(WEBP),
                opened,
                "https://example.com/ref.png",
            ],
        )
    sent = emulator.state.tasks[task.out_task_id].params["image_url"]
    assert sent == [
        _uri("png", PNG),
        _uri("jpeg", JPEG),
        _uri("webp", WEBP),
        _uri("webp", WEBP),
        "https://example.com/ref.png",
    ]
    assert base64.b64decode(sent[0].split(",", 1)[1]) == PNG


async def test_a_lone_file_for_a_list_field_and_the_raw_submit(
    client: AsyncAIReiter, emulator: RunningEmulator, tmp_path: Path
) -> None:
    """One file given to a field that takes a list is sent as a one-item list; the raw
    client.tasks.submit and the run-time images.generate encode files too (channel suffix
    understood)."""
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    typed = await client.images.gpt_image_2.submit(prompt="x", image_url=path)  # type: ignore[arg-type]
    assert emulator.state.tasks[typed.out_task_id].params["image_url"] == [_uri("png", PNG)]
    raw = await client.tasks.submit("nano_banana_v2_plus", {"prompt": "x", "image_url": [PNG]})
    assert emulator.state.tasks[raw.out_task_id].params["image_url"] == [_uri("png", PNG)]
    done = await client.images.generate(
        "gpt_image_2_official", prompt="x", image_url=[path], poll_interval=0.005
    )
    assert emulator.state.tasks[done.out_task_id].params["image_url"] == [_uri("png", PNG)]


def _big_png() -> bytes:
    return PNG + b"\x00" * (MAX_IMAGE_BYTES + 1 - len(PNG))


class _TextFile:
    name = "notes.txt"

    def read(self, size: int = -1) -> str:
        return "not an image"


CASES: list[tuple[str, Callable[[Path], Any], str]] = [
    ("missing file", lambda d: d / "nope.png", "no such file"),
    ("a directory", lambda d: d, "is a directory"),
    ("empty bytes", lambda d: b"", "is empty"),
    ("not an image", lambda d: b"%PDF-1.7 ...", "not an image this SDK recognises"),
    ("a GIF", lambda d: GIF, "GIF image; the docs list only jpeg, png, webp"),
    ("too large", lambda d: _big_png(), "larger than 10,000,000 bytes"),
    ("a text file object", lambda d: _TextFile(), "binary mode"),
    ("a closed file", lambda d: _closed(), "cannot be read"),
]


def _closed() -> io.BytesIO:
    file = io.BytesIO(PNG)
    file.close()
    return file


@pytest.mark.parametrize(("what", "make", "words"), CASES, ids=[c[0] for c in CASES])
async def test_a_bad_local_image_is_a_param_error_before_any_request(
    client: AsyncAIReiter,
    emulator: RunningEmulator,
    tmp_path: Path,
    what: str,
    make: Callable[[Path], Any],
    words: str,
) -> None:
    """Each bad file is one ParamError naming the field and item, saying what is wrong, never
    printing the bytes; the API sees nothing."""
    with pytest.raises(ParamError) as info:
        await client.images.seedream_v5_lite.submit(
            prompt="x", image_url=["https://e.x/a.png", make(tmp_path)]
        )
    error = info.value
    assert error.field == "image_url[1]"
    assert words in str(error), str(error)
    assert len(str(error)) < 600
    assert sum(emulator.state.request_counts.values()) == 0


async def test_a_large_file_is_not_read_whole(tmp_path: Path) -> None:
    """A file far over the limit is refused after reading just past the limit."""
    big = tmp_path / "huge.png"
    with big.open("wb") as out:
        out.write(PNG)
        out.truncate(MAX_IMAGE_BYTES * 5)

    class Counting(io.FileIO):
        asked: ClassVar[list[int]] = []

        def read(self, size: int | None = -1) -> bytes:
            Counting.asked.append(-1 if size is None else size)
            return super().read(size)

    with Counting(big, "rb") as file, pytest.raises(ParamError, match="larger than"):
        image_data_uri(file)  # type: ignore[arg-type]
    assert Counting.asked == [MAX_IMAGE_BYTES + 1]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c, f: c.images.gpt_4o.submit(prompt="x", image_url=f), "image_url"),
        (lambda c, f: c.images.seedream_v4_5.submit(prompt="x", image_url=[f]), "image_url[0]"),
        (lambda c, f: c.videos.veo3_1.submit(prompt="x", end_image_url=f), "end_image_url"),
        (lambda c, f: c.videos.seedance2.submit(prompt="x", image_url=[f]), "image_url[0]"),
        (lambda c, f: c.tasks.submit("sora2", {"prompt": "x", "image_url": f}), "image_url"),
    ],
    ids=["gpt_4o", "seedream_v4_5", "veo3_1", "seedance2", "raw sora2"],
)
async def test_url_only_fields_refuse_local_files_saying_why(
    client: AsyncAIReiter,
    emulator: RunningEmulator,
    tmp_path: Path,
    call: Callable[[AsyncAIReiter, Path], Any],
    field: str,
) -> None:
    """Where the docs speak only of public URLs, a local file is a ParamError that says so
    and says what to do; nothing is sent."""
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    with pytest.raises(ParamError) as info:
        await call(client, path)
    assert info.value.field == field
    text = str(info.value)
    assert "docs allow only public image URLs" in text
    assert "upload the image and pass its http(s) URL" in text
    assert str(path) in text
    assert sum(emulator.state.request_counts.values()) == 0


async def test_cli_image_sends_a_local_file(emulator: RunningEmulator, tmp_path: Path) -> None:
    """`aireiter image MODEL --image ./cat.png --image URL` sends the file as a data URI and
    the URL as typed; on a URL-only model the file is refused with the reason (exit 2)."""
    (tmp_path / "cat.png").write_bytes(PNG)
    env = cli_env(emulator)
    sent = await run_cli(
        "image", "seedream_v5_lite", "-p", "a cat", "--image", "./cat.png",
        "--image", "https://example.com/b.png", "--no-wait", "--json",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert sent.code == 0, sent.stderr
    params = emulator.state.tasks[sent.json()["out_task_id"]].params
    assert params["image_url"] == [_uri("png", PNG), "https://example.com/b.png"]

    refused = await run_cli(
        "image", "gpt_4o", "-p", "a cat", "--image", "cat.png", "--no-wait", env=env,
        cwd=tmp_path,
    )  # fmt: skip
    assert refused.code == 2, refused.stderr
    assert "only public image URLs" in refused.stderr
    two = await run_cli(
        "image", "gpt_4o", "-p", "x", "--image", "a.png", "--image", "b.png", env=env,
        cwd=tmp_path,
    )  # fmt: skip
    assert two.code == 2
    assert "takes one reference image" in two.stderr
    assert len(emulator.state.tasks) == 1
