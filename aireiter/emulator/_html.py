"""The HTML marketing page the API answers to any unknown route or wrong method (HTTP 200)."""

from __future__ import annotations

from typing import Final

from aiohttp import web

__all__ = ["MARKETING_PAGE", "html_page", "marketing_page"]

MARKETING_PAGE: Final = b"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AIReiter - One API for every AI model</title>
</head>
<body>
<header><nav><a href="/">AIReiter</a> <a href="/pricing">Pricing</a> <a href="https://docs.aireiter.com">Docs</a></nav></header>
<main>
<h1>One API for every AI model</h1>
<p>Chat, images and video from the best models through one key: GPT, Claude, Sora 2, Veo 3.1,
Seedream, Nano Banana and more.</p>
<p><a href="/console">Get your API key</a></p>
</main>
<footer>(emulated page)</footer>
</body>
</html>
"""


def html_page() -> web.Response:
    """HTTP 200 ``text/html`` with the marketing page."""
    return web.Response(body=MARKETING_PAGE, content_type="text/html", charset="utf-8")


async def marketing_page(request: web.Request) -> web.Response:
    """The catch-all route: what the API shows for a path or method it does not serve."""
    return html_page()
