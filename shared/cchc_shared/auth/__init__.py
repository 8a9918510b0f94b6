"""Bearer-token authentication (interim: everything is still in ``tokens``)."""

from cchc_shared.auth.tokens import *  # noqa: F403
from cchc_shared.auth.tokens import __all__ as __all__
