"""The body ``GET /cloud/v6/auth`` answers with."""

from __future__ import annotations

from attrs import define

__all__ = ["Authentication"]


@define
class Authentication:
    """A token's access to a stack (``AuthenticationResponse``): the id of the stack the
    ``X-Stack-Url`` names, and the id of that stack's default project."""

    stack_id: int
    default_project_id: int
