"""Typed values of the API, for annotations and for building requests ahead of time.

- Every model's params class (``Sora2Params``, ``SeedreamV45Params``...): a frozen attrs value
  that checks itself against the spec when built; submit it with
  ``client.videos.sora2.submit_params(params)``. ``PARAMS_CLASSES`` maps model ids to them.
- Every model's channel alias (``Sora2Channel``: the ``Literal`` that ``channel=`` takes).
- ``types.messages``: the Claude Messages format.

They are generated from the model spec (``aireiter/_generated/params``). Importing this
package does not import openai, nor the model endpoints.
"""

from .._generated import params as _params
from .._generated.params import *  # noqa: F403  (the generated module lists every name)
from . import messages

__all__ = ["messages"]
__all__ += _params.__all__

# Reprs and tracebacks say ``aireiter.types.Sora2Params``, the path users import.
for _name in _params.__all__:
    _obj = globals()[_name]
    if isinstance(_obj, type):
        _obj.__module__ = __name__
del _name, _obj
