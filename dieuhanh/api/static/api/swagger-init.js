/* Starts the vendored Swagger UI on /api/docs. Kept out of the page: the CSP allows
   scripts from 'self' only. The browser session authenticates "Try it out"; unsafe
   methods carry the page's CSRF token like the rest of the site. */
(function () {
  "use strict";
  function start() {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") { return; }
    var csrf = root.getAttribute("data-csrf-token") || "";
    window.ui = window.SwaggerUIBundle({
      url: root.getAttribute("data-schema-url"),
      dom_id: "#swagger-ui",
      deepLinking: true,
      layout: "BaseLayout",
      validatorUrl: null,
      presets: [window.SwaggerUIBundle.presets.apis],
      requestInterceptor: function (req) {
        var method = (req.method || "GET").toUpperCase();
        if (csrf && ["GET", "HEAD", "OPTIONS", "TRACE"].indexOf(method) === -1) {
          req.headers["X-CSRFToken"] = csrf;
        }
        return req;
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
