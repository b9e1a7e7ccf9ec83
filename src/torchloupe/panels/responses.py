"""What the panel routes answer, as the OpenAPI schema documents it: the error shape, the
statuses each route can return, and the JSON encoding of a body.

Every JSON body has a pydantic model (``Body`` subclasses, which forbid undeclared fields so the
schema says exactly what is sent). A route encodes its body itself (:func:`json_body`) and names
the model in ``response_model``: the schema documents the body, while a large response does not
pay for being validated field by field. The schema conformance test checks bodies against it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Response
from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    """A JSON body the API sends: every field declared; a docstring under a field is its
    description in the schema."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class ErrorDetail(Body):
    type: str
    """The error's class, e.g. ``NotFoundError``, ``ValidationError``."""
    message: str


class ErrorOut(Body):
    """Every refusal and failure: ``{"error": {"type", "message"}}``."""

    error: ErrorDetail


WHY = {
    400: "a Host that is not one of the dashboard's names",
    401: "the token is missing or wrong (when the dashboard has one)",
    403: "a request from another site's page, or a model class that is not trusted",
    404: "no such run, or nothing of this kind logged in it",
    422: "a parameter out of its bounds, or a value the data does not have",
    500: "the store cannot be read",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting ``statuses`` with the error shape.

    Example:
        >>> sorted(errors(404, 422))
        [404, 422]
    """
    return {s: {"model": ErrorOut, "description": WHY[s]} for s in statuses}


def json_body(body: Any, status: int = 200) -> Response:
    """``body`` as compact JSON (NaN and infinities refused: the queries send them as null).

    Example:
        >>> json_body({"a": [1, None]}).body
        b'{"a":[1,null]}'
    """
    return Response(json.dumps(body, allow_nan=False, separators=(",", ":")), status_code=status,
                    media_type="application/json")


PNG = {200: {"content": {"image/png": {"schema": {"type": "string", "format": "binary"}}},
             "description": "a PNG image"}}
BINARY = {200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
                "description": "little-endian binary values"}}
