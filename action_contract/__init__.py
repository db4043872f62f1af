"""Contract tests, mock handlers and a reference executor for Hasura Action handlers."""

from ._action_request import ActionRequest
from ._adversarial import VIOLATIONS, adversarial_requests
from ._errors import ActionContractError, InvalidArgument, MetadataError, Problem, TemplateError
from ._metadata import load_catalog
from ._model import (
    Action,
    Argument,
    Catalog,
    EnumType,
    EnumValue,
    Field,
    Header,
    InputObjectType,
    ObjectType,
    Permission,
    Relationship,
    ScalarType,
    TypeRef,
)
from ._profiles import HasuraProfile
from ._requests import conforming_requests, edge_requests
from ._scalar_strategies import register_scalar

__all__ = [
    "VIOLATIONS",
    "Action",
    "ActionContractError",
    "ActionRequest",
    "Argument",
    "Catalog",
    "EnumType",
    "EnumValue",
    "Field",
    "HasuraProfile",
    "Header",
    "InputObjectType",
    "InvalidArgument",
    "MetadataError",
    "ObjectType",
    "Permission",
    "Problem",
    "Relationship",
    "ScalarType",
    "TemplateError",
    "TypeRef",
    "adversarial_requests",
    "conforming_requests",
    "edge_requests",
    "load_catalog",
    "register_scalar",
]
