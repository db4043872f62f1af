"""Contract tests, mock handlers and a reference executor for Hasura Action handlers."""

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

__all__ = [
    "Action",
    "ActionContractError",
    "Argument",
    "Catalog",
    "EnumType",
    "EnumValue",
    "Field",
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
    "load_catalog",
]
