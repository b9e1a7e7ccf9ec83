"""One error hierarchy for torchloupe; each class carries the HTTP status the API answers with."""

from __future__ import annotations


class LoupeError(Exception):
    """Base class of every error torchloupe raises on purpose."""

    http_status = 500


class LoupeValueError(LoupeError, ValueError):
    """A value handed to torchloupe has the wrong type, shape or content."""

    http_status = 422


class LoupeKeyError(LoupeError, KeyError):
    """A series key is malformed."""

    http_status = 422

    def __str__(self) -> str:  # KeyError quotes its message; show it as written
        return str(self.args[0]) if self.args else ""


class RunFinishedError(LoupeError, RuntimeError):
    """Logging was attempted on a run that has already finished."""

    http_status = 409


class NotFoundError(LoupeError, LookupError):
    """A run, series or blob does not exist in the store."""

    http_status = 404


class StoreError(LoupeError, OSError):
    """The store cannot be opened, read or written (damaged file, newer schema, no permission)."""

    http_status = 500


class StoreAccessError(StoreError, PermissionError):
    """The store's folder cannot be created or written (a file in the way, no permission)."""

    http_status = 500


class AuthError(LoupeError, PermissionError):
    """A request to the dashboard lacks the right token."""

    http_status = 401


class BadHostError(LoupeError, ValueError):
    """A request to the dashboard names a Host that is not one of the dashboard's own names
    (what a DNS-rebinding page sends)."""

    http_status = 400


class CrossSiteError(LoupeError, PermissionError):
    """A request to the dashboard comes from another site's page (its ``Origin`` is not the
    dashboard's, or the browser marks it ``Sec-Fetch-Site: cross-site``)."""

    http_status = 403


class UntrustedModelError(LoupeError, PermissionError):
    """A checkpoint names a model class that is neither registered (``tl.register_model``) nor
    in a trusted module, so the dashboard will not import it."""

    http_status = 403
