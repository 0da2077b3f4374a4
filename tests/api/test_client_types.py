"""The clients' TypeScript types are generated from the OpenAPI document, whose schema names are unique."""

from __future__ import annotations

import importlib
import pkgutil

from pydantic import BaseModel

import api
import domain
from api import client_types, docs
from domain.settings import ROOT


def _models() -> set[type[BaseModel]]:
    for package in (api, domain):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)

    def below(cls: type[BaseModel]) -> set[type[BaseModel]]:
        return {c for sub in cls.__subclasses__() for c in (sub, *below(sub))}
    return {cls for cls in below(BaseModel) if cls.__module__.split(".")[0] in ("api", "domain")}


def test_openapi_schema_names_are_the_model_names():
    # FastAPI prefixes the module (domain__reviews__schemas__ReviewPage) when two different models share a name.
    names = docs.openapi_document()["components"]["schemas"]
    assert not [name for name in names if "__" in name], "two models share a name: rename one"


def test_models_of_one_name_have_one_shape():
    # Also for models that only travel in an error's detail (not in components): the clients see one shape per name.
    shapes: dict[str, set[str]] = {}
    for cls in _models():
        if "[" not in cls.__name__:  # parametrised generics (Page[BookingOut]) are named by the document
            shapes.setdefault(cls.__name__, set()).add(str(cls.model_json_schema(mode="serialization")))
    assert not [name for name, found in shapes.items() if len(found) > 1], "two models share a name: rename one"


def test_committed_client_types_are_the_generated_ones():
    for path, text in client_types.generated().items():
        assert path.read_text(encoding="utf-8") == text, \
            f"{path.relative_to(ROOT)} is out of date: run python -m api.client_types"
