"""The base of every params section, and the error every params problem raises."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from aelab.errors import UserError

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
VariantId = Identifier
DatasetId = Identifier
Fraction = Annotated[float, Field(ge=0, le=1)]
Seeds = Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)]


class ParamsError(UserError, ValueError):
    """params.yaml is unreadable or does not match the schema."""


class StrictModel(BaseModel):
    """Base of every params section: unknown keys are errors, values are frozen, and types are strict.

    Strict means what JSON schema means, so Snakemake's schema check, the CLI and
    DVC's runs agree on every file: ``true`` is not an integer and ``"2"`` is not
    a number (an integer is a number, as in JSON).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
