// Swagger UI for /docs, from the swagger-ui-bundle package: works with no internet.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
