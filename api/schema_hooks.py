"""Touches to the generated OpenAPI schema."""


def forbid_unknown_fields(result, generator, request, public):
    """Request bodies refuse fields they do not name (api.writes.form_data): say so in the
    schema, so clients and generated tests know."""
    schemas = result.get("components", {}).get("schemas", {})
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            content = (operation.get("requestBody") or {}).get("content", {})
            for media in content.values():
                ref = media.get("schema", {}).get("$ref", "")
                component = schemas.get(ref.rsplit("/", 1)[-1])
                if component is not None and component.get("type") == "object":
                    component["additionalProperties"] = False
    return result
