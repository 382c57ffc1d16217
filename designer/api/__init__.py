"""The JSON API (SPEC §5), with its OpenAPI schema at /api/schema/ and docs at /api/docs."""

from ninja import NinjaAPI

from designer.api import errors
from designer.api.auth import ApiAuth
from designer.api.flows import router as flows_router
from runtime.api import router as executions_router
from runtime.api_processes import router as processes_router

api = NinjaAPI(
    title="Sluice API",
    version="1",
    description="Design, publish and run process flows and microflows.",
    auth=ApiAuth(),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs",
)
errors.install(api)
api.add_router("", flows_router)
api.add_router("", executions_router)
api.add_router("", processes_router)
