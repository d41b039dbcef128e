"""Download a task's output files to disk: streamed, atomic, retried, resumable, bounded.

For each URL of a job, :class:`Downloader` writes ``<dir>/<out_task_id><suffix>`` (or
``<out_task_id>_<n><suffix>``, ``n`` from 1, when the job has several outputs):

1. if that file exists and a ``HEAD`` says its ``Content-Length`` equals the file's size, it
   is skipped (a resumed batch does not fetch what it already has);
2. otherwise the body is streamed in chunks to ``<name>.part`` and moved into place with
   :func:`os.replace` only once every byte arrived (and as many as ``Content-Length`` said), so
   a final name never holds a partial file, whatever kills the process;
3. a connection error, a timeout, a short body, an answer that is not HTTP, 408/429 or a 5xx
   is retried up to ``max_retries`` times, waiting ``uniform(0, min(8, 0.5 * 2 ** (n - 1)))``
   seconds before retry ``n`` (or the server's ``Retry-After``); other statuses fail at once.

Every failure is a :class:`DownloadError` (typed, never a raw aiohttp or OS error), and so is
an output URL that is not ``http(s)://host/...`` (``ftp://``, ``file://``, no scheme: refused
before any request), a redirect to such a URL, and a redirect loop
(:data:`DEFAULT_DOWNLOAD_MAX_REDIRECTS` redirects in a row): those fail at once.

Sizes are checked on the bytes that crossed the wire. The downloader asks for
``Accept-Encoding: identity``; a server that compresses anyway (``Content-Encoding: gzip`` or
``deflate``) is decoded here, the ``Content-Length`` (the compressed length) is compared with
the compressed bytes received, and the decoded file is what lands on disk. Any other
encoding fails at once. For such a file the resume check cannot compare sizes, so it is
fetched again.

At most ``concurrency`` files are in transfer at a time, over all jobs. The downloader has its
own HTTP session with no credentials at all: output URLs are not the API host and never see
the API key. Given a client's network settings (``network=client.config.network``), it goes
through the same proxy (the environment's, per host, unless ``trust_env=False``; or the
client's ``proxy``), with the same TLS setting, or through the client's own ``http_session``.
The suffix comes from the URL's path (``.png``, ``.mp4`` ...), ``.bin`` if none.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Final

import aiohttp
import anyio
from yarl import URL

from .. import _timing
from .._constants import OUT_TASK_ID_PATTERN
from .._exceptions import AIReiterError, ParamError
from .._transport._retry import calculate_retry_delay, parse_retry_after, should_retry_status
from .._transport._session import NetworkSettings, download_session

__all__ = [
    "DEFAULT_DOWNLOAD_CHUNK_BYTES",
    "DEFAULT_DOWNLOAD_CONCURRENCY",
    "DEFAULT_DOWNLOAD_CONNECT_TIMEOUT_S",
    "DEFAULT_DOWNLOAD_MAX_REDIRECTS",
    "DEFAULT_DOWNLOAD_MAX_RETRIES",
    "DEFAULT_DOWNLOAD_READ_TIMEOUT_S",
    "DownloadError",
    "Downloader",
    "output_filenames",
]

logger = logging.getLogger("aireiter.tracker")

DEFAULT_DOWNLOAD_CONCURRENCY: Final = 8  # files in transfer at once, over all jobs
DEFAULT_DOWNLOAD_MAX_RETRIES: Final = 3  # retries after the first attempt, per file
DEFAULT_DOWNLOAD_CHUNK_BYTES: Final = 64 * 1024  # bytes read and written at a time
DEFAULT_DOWNLOAD_CONNECT_TIMEOUT_S: Final = 10.0  # TCP + TLS handshake
DEFAULT_DOWNLOAD_READ_TIMEOUT_S: Final = 60.0  # longest silence while a body streams
DEFAULT_DOWNLOAD_MAX_REDIRECTS: Final = 10  # redirects followed per file; more is a loop
_SUFFIX: Final = re.compile(r"\.[A-Za-z0-9]{1,8}")
_FALLBACK_SUFFIX: Final = ".bin"
_PART: Final = ".part"
_HTTP_SCHEMES: Final = frozenset({"http", "https"})
_IDENTITY: Final = {"Accept-Encoding": "identity"}  # sizes on disk match Content-Length
_ZLIB_ENCODINGS: Final = frozenset({"gzip", "x-gzip", "deflate"})
_ZLIB_AUTO_HEADER: Final = 32 + zlib.MAX_WBITS  # zlib.decompressobj: gzip or zlib wrapper


class DownloadError(AIReiterError):
    """An output file could not be downloaded (after retries). ``status`` is the last HTTP
    status, if an answer came; the URL is that of the output (it holds no credentials)."""

    def __init__(
        self, message: str, *, url: str, out_task_id: str, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.url = url
        self.out_task_id = out_task_id
        self.status = status


class _Retryable(Exception):
    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class _Fatal(Exception):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _check_url(url: object, out_task_id: str) -> str:
    """``url`` if it is an ``http(s)://host/...`` URL, else :class:`DownloadError`."""
    text = url if isinstance(url, str) else repr(url)
    try:
        parsed = URL(url) if isinstance(url, str) else None
    except (TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.scheme not in _HTTP_SCHEMES or not parsed.host:
        raise DownloadError(
            f"output URL {text[:200]!r} of {out_task_id} is not an http(s) URL with a host; "
            "nothing was fetched",
            url=text,
            out_task_id=out_task_id,
        )
    return text


class _Decoder:
    """Undoes a ``gzip``/``deflate`` Content-Encoding chunk by chunk, never holding more than
    ``limit`` decoded bytes at a time (a small body may inflate to a huge one)."""

    def __init__(self, limit: int) -> None:
        self._zlib = zlib.decompressobj(_ZLIB_AUTO_HEADER)
        self._limit = limit

    def feed(self, chunk: bytes) -> Iterator[bytes]:
        """The decoded bytes of ``chunk``, in pieces of at most ``limit`` bytes."""
        data = self._zlib.decompress(chunk, self._limit)
        while True:
            if data:
                yield data
            tail = self._zlib.unconsumed_tail
            if not tail:
                return
            data = self._zlib.decompress(tail, self._limit)

    def finish(self) -> bytes:
        """What is left once the body ended; :class:`_Retryable` if the stream is cut short."""
        rest = self._zlib.flush()
        if not self._zlib.eof:
            raise _Retryable("compressed body cut short", status=200)
        return rest


def _decoder_for(encoding: str | None, limit: int) -> _Decoder | None:
    name = (encoding or "").strip().lower()
    if name in ("", "identity"):
        return None
    if name in _ZLIB_ENCODINGS:
        return _Decoder(limit)
    raise _Fatal(f"the server sent Content-Encoding {name!r}, which the downloader cannot decode")


def _suffix(url: str) -> str:
    try:
        suffix = PurePosixPath(URL(url).path).suffix
    except ValueError:
        return _FALLBACK_SUFFIX
    return suffix.lower() if _SUFFIX.fullmatch(suffix) else _FALLBACK_SUFFIX


def output_filenames(out_task_id: str, urls: Sequence[str]) -> list[str]:
    """The file names the outputs of ``out_task_id`` are saved under (see the module doc).

    Raises :class:`~aireiter.ParamError` for an id that is not a safe file name stem.
    """
    if not isinstance(out_task_id, str) or not OUT_TASK_ID_PATTERN.fullmatch(out_task_id):
        raise ParamError.single(
            "out_task_id",
            out_task_id,
            "cannot name a file",
            allowed="1 to 64 characters from A-Z a-z 0-9 _ -",
        )
    if len(urls) == 1:
        return [f"{out_task_id}{_suffix(urls[0])}"]
    return [f"{out_task_id}_{n}{_suffix(url)}" for n, url in enumerate(urls, start=1)]


class Downloader:
    """Downloads output files into ``directory`` (created when needed); see the module doc.

    ``session``: an :class:`aiohttp.ClientSession` to use (yours to close); by default the
    downloader creates its own, lazily, and closes it in :meth:`aclose`. ``network``: a
    client's proxy, TLS and ``trust_env`` settings (``client.config.network``) for that
    session, or its ``http_session`` to use instead (not closed here); by default the
    environment's proxies and verified TLS.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        concurrency: int = DEFAULT_DOWNLOAD_CONCURRENCY,
        max_retries: int = DEFAULT_DOWNLOAD_MAX_RETRIES,
        chunk_bytes: int = DEFAULT_DOWNLOAD_CHUNK_BYTES,
        connect_timeout_s: float = DEFAULT_DOWNLOAD_CONNECT_TIMEOUT_S,
        read_timeout_s: float = DEFAULT_DOWNLOAD_READ_TIMEOUT_S,
        session: aiohttp.ClientSession | None = None,
        network: NetworkSettings | None = None,
    ) -> None:
        for name, value, low in (
            ("concurrency", concurrency, 1),
            ("max_retries", max_retries, 0),
            ("chunk_bytes", chunk_bytes, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ParamError.single(name, value, "is out of range", allowed=f"an int >= {low}")
        for name, seconds in (
            ("connect_timeout_s", connect_timeout_s),
            ("read_timeout_s", read_timeout_s),
        ):
            if not isinstance(seconds, (int, float)) or not seconds > 0:
                raise ParamError.single(name, seconds, "is out of range", allowed="seconds > 0")
        self.directory = Path(directory)
        self.concurrency = concurrency
        self.max_retries = max_retries
        self.chunk_bytes = chunk_bytes
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout_s, sock_read=read_timeout_s
        )
        self._session = session
        self._owns_session = session is None
        self._network = network if network is not None else NetworkSettings()
        self._limit = anyio.Semaphore(concurrency)
        self._dir_ready = False
        self.files_downloaded = 0
        """Files written (not counting skipped ones)."""
        self.files_skipped = 0
        """Files found complete on disk and not fetched again."""
        self.bytes_downloaded = 0
        """Bytes written to disk."""
        self.retries = 0
        """Attempts repeated after a failure."""

    def __repr__(self) -> str:
        return f"Downloader({str(self.directory)!r}, concurrency={self.concurrency})"

    async def __aenter__(self) -> Downloader:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the downloader's own HTTP session (not one that was passed in)."""
        session, self._session = self._session, None
        if session is not None and self._owns_session:
            await session.close()

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            # With the client's proxy and TLS settings, or its own http_session (not ours to
            # close); aiohttp's silent resend of a GET is turned off (retries are counted here).
            self._session, self._owns_session = download_session(
                self._network, _IDENTITY, self._timeout
            )
        return self._session

    async def download(self, out_task_id: str, urls: Sequence[str]) -> tuple[Path, ...]:
        """Fetch every URL of one job; return the final paths, in the order of ``urls``.

        Raises :class:`DownloadError` (after the other files of the job finished) if a file
        could not be fetched, at once if a URL is not ``http(s)://host/...``.
        """
        urls = [_check_url(url, out_task_id) for url in urls]
        names = output_filenames(out_task_id, urls)
        if not self._dir_ready:
            try:
                await anyio.Path(self.directory).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DownloadError(
                    f"cannot create the download folder {str(self.directory)!r}: "
                    f"{exc.strerror or exc}",
                    url=urls[0] if urls else "",
                    out_task_id=out_task_id,
                ) from exc
            self._dir_ready = True
        paths = [self.directory / name for name in names]
        if len(urls) == 1:
            await self._fetch(out_task_id, urls[0], paths[0])
            return (paths[0],)
        outcomes = await asyncio.gather(
            *(self._fetch(out_task_id, url, path) for url, path in zip(urls, paths, strict=True)),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return tuple(paths)

    async def _fetch(self, out_task_id: str, url: str, path: Path) -> None:
        async with self._limit:
            if await self._complete_on_disk(url, path):
                self.files_skipped += 1
                logger.debug("download %s: %s already complete, skipped", out_task_id, path.name)
                return
            attempt = 0
            while True:
                try:
                    await self._stream(url, path)
                except _Retryable as exc:
                    if attempt >= self.max_retries:
                        raise DownloadError(
                            f"download of {path.name} failed after {attempt + 1} attempts: {exc}",
                            url=url,
                            out_task_id=out_task_id,
                            status=exc.status,
                        ) from exc
                    attempt += 1
                    self.retries += 1
                    logger.info("download %s: retry %d (%s)", path.name, attempt, exc)
                    await _timing.sleep(calculate_retry_delay(attempt, retry_after=exc.retry_after))
                except _Fatal as exc:
                    raise DownloadError(
                        f"download of {path.name} failed: {exc}",
                        url=url,
                        out_task_id=out_task_id,
                        status=exc.status,
                    ) from exc
                except OSError as exc:  # the disk side: full, read-only, permissions
                    raise DownloadError(
                        f"download of {path.name} failed: cannot write it: {exc.strerror or exc}",
                        url=url,
                        out_task_id=out_task_id,
                    ) from exc
                else:
                    self.files_downloaded += 1
                    return

    async def _complete_on_disk(self, url: str, path: Path) -> bool:
        try:
            size = (await anyio.Path(path).stat()).st_size
        except FileNotFoundError:
            return False
        try:
            async with self._get_session().head(
                url,
                headers=_IDENTITY,
                timeout=self._timeout,
                max_redirects=DEFAULT_DOWNLOAD_MAX_REDIRECTS,
            ) as answer:
                encoded = answer.headers.get("Content-Encoding", "identity").strip().lower()
                plain = encoded in ("", "identity")
                length = answer.content_length if answer.status == 200 and plain else None
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            logger.debug("download: HEAD %s failed (%s); fetching again", path.name, exc)
            return False
        return length is not None and length == size

    async def _stream(self, url: str, path: Path) -> None:
        part = path.with_name(path.name + _PART)
        written = 0
        done = False
        try:
            async with self._get_session().get(
                url,
                headers=_IDENTITY,
                timeout=self._timeout,  # also on a session that is not the downloader's
                auto_decompress=False,  # sizes are checked on the bytes of the wire
                max_redirects=DEFAULT_DOWNLOAD_MAX_REDIRECTS,
            ) as answer:
                status = answer.status
                if status != 200:
                    headers = answer.headers
                    if should_retry_status(status):
                        raise _Retryable(
                            f"HTTP {status}", status=status, retry_after=parse_retry_after(headers)
                        )
                    raise _Fatal(f"HTTP {status}", status=status)
                expected = answer.content_length  # of the encoded body, when there is one
                decoder = _decoder_for(answer.headers.get("Content-Encoding"), self.chunk_bytes)
                received = 0
                async with await anyio.open_file(part, "wb") as out:
                    async for chunk in answer.content.iter_chunked(self.chunk_bytes):
                        received += len(chunk)
                        pieces = (chunk,) if decoder is None else decoder.feed(chunk)
                        for piece in pieces:
                            await out.write(piece)
                            written += len(piece)
                    if decoder is not None and expected in (None, received):
                        rest = decoder.finish()
                        await out.write(rest)
                        written += len(rest)
            if expected is not None and received != expected:
                raise _Retryable(f"short body: {received} of {expected} bytes", status=200)
            await anyio.Path(part).replace(path)
            done = True
        except aiohttp.TooManyRedirects as exc:
            raise _Fatal(
                f"{DEFAULT_DOWNLOAD_MAX_REDIRECTS} redirects in a row (a redirect loop?)"
            ) from exc
        except (aiohttp.RedirectClientError, aiohttp.InvalidURL) as exc:
            raise _Fatal(f"redirected to a URL that is not http(s): {exc}") from exc
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        except aiohttp.ClientError as exc:  # an answer that is not valid HTTP, and the like
            raise _Retryable(f"bad answer: {type(exc).__name__}: {exc}") from exc
        except zlib.error as exc:
            raise _Retryable(f"compressed body does not decode: {exc}", status=200) from exc
        except asyncio.TimeoutError as exc:
            raise _Retryable("timed out") from exc
        finally:
            if not done:
                await _unlink_quietly(part)
        self.bytes_downloaded += written


async def _unlink_quietly(part: Path) -> None:
    try:
        await anyio.Path(part).unlink(missing_ok=True)
    except OSError as exc:
        logger.debug("download: could not remove %s: %s", part.name, exc)
