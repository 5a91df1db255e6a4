// Starts the vendored Swagger UI on /docs; a file of its own, so no inline script is needed.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  SwaggerUIBundle({ url: root.dataset.specUrl, dom_id: "#swagger-ui", deepLinking: true });
  document.documentElement.dataset.docsReady = "true";
});
