"""Schemathesis over the whole OpenAPI schema: no 5xx, and every answer matches the schema.

Every default check runs but one: a request that fits the schema may still be refused with a
documented 4xx, because some limits are relations the schema cannot state (Cin·Cout·H·W under the
work limit, a preset that needs red, green and blue, an empty upload).
"""

from hypothesis import HealthCheck, settings
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.main import app

schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms(case):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
