"""Client lifecycle: lazy session, clean close, clear errors on misuse."""

from __future__ import annotations

import gc
import warnings

import pytest

from aireiter import AsyncAIReiter, AuthenticationError, ParamError
from aireiter.emulator import RunningEmulator


def test_missing_key_is_a_clear_error() -> None:
    """No key anywhere: AuthenticationError naming AIREITER_API_KEY, before any I/O."""
    with pytest.raises(AuthenticationError, match="AIREITER_API_KEY"):
        AsyncAIReiter()


def test_bad_settings_are_param_errors() -> None:
    """A non-URL base_url or negative retries is rejected with the field named."""
    with pytest.raises(ParamError) as info:
        AsyncAIReiter(api_key="k", base_url="aireiter.com")
    assert info.value.field == "base_url"
    with pytest.raises(ParamError) as info:
        AsyncAIReiter(api_key="k", max_retries=-1)
    assert info.value.field == "max_retries"


def test_construction_does_no_io() -> None:
    """A client can be built outside any event loop; the session comes later."""
    client = AsyncAIReiter(api_key="k")
    assert client._transport._session is None


async def test_close_is_idempotent_and_final(emulator: RunningEmulator) -> None:
    """aclose() closes the session; a second close is harmless; reuse is a clear error."""
    client = AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url)
    await client.balance()
    session = client._transport._session
    assert session is not None
    assert not session.closed
    await client.aclose()
    await client.aclose()
    assert session.closed
    assert client.is_closed
    with pytest.raises(RuntimeError, match="closed"):
        await client.balance()


async def test_context_manager_closes_on_error(emulator: RunningEmulator) -> None:
    """Leaving ``async with`` by an exception still closes the session."""
    client = AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url)

    async def use_then_fail() -> None:
        async with client:
            await client.balance()
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        await use_then_fail()
    assert client.is_closed


async def test_no_unclosed_session_warning(emulator: RunningEmulator) -> None:
    """A used and closed client leaves no ResourceWarning behind."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with AsyncAIReiter(api_key=emulator.api_key, base_url=emulator.base_url) as client:
            await client.balance()
        del client
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
