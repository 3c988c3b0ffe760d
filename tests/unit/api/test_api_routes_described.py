"""Every route the app serves is in its OpenAPI description (and nothing else is)."""

from __future__ import annotations

from adapters.api.app import create_app
from adapters.api.openapi import describe
from adapters.settings import Settings


def test_the_openapi_description_and_the_router_agree() -> None:
    app = create_app(Settings())  # building the app opens nothing; starting it would
    served = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None and route.method != "HEAD"
    }
    described = {
        (method.upper(), path)
        for path, operations in describe()["paths"].items()
        for method in operations
    }
    assert served == described


def test_every_described_operation_documents_the_error_format() -> None:
    for path, operations in describe()["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path)
