/* odoo-restful API explorer: Swagger UI, served by the gateway itself.
 *
 * The API document depends on the caller (it lists the models the token's user can
 * read), so it needs a token: the page starts with a placeholder that only knows the
 * security schemes; once the user clicks "Authorize" and enters a token, the document
 * is fetched with that token and replaces the placeholder. The token lives in this
 * page's memory only (never in localStorage). Loaded as a file, not inline, so that the
 * page's Content-Security-Policy can forbid inline scripts.
 */
(function () {
  "use strict";

  var root = document.getElementById("odoo-restful-docs");
  var specUrl = root.getAttribute("data-spec-url");
  var models = new URLSearchParams(window.location.search).get("models");
  if (models) {
    specUrl += "?models=" + encodeURIComponent(models);
  }

  var schemes = {
    accessToken: {
      type: "apiKey", in: "header", name: "access-token",
      description: "The token from `POST /api/auth/token`."
    },
    bearer: { type: "http", scheme: "bearer" },
    accessTokenQuery: { type: "apiKey", in: "query", name: "access_token" }
  };

  function placeholder(message) {
    return JSON.stringify({
      openapi: "3.1.0",
      info: { title: "odoo-restful", version: "", description: message },
      paths: {},
      security: [{ accessToken: [] }, { bearer: [] }, { accessTokenQuery: [] }],
      components: { securitySchemes: schemes }
    });
  }

  var WELCOME = "Click **Authorize** and enter an access token (from `POST /api/auth/token`) " +
    "to load the API of your Odoo database: the models your user can read, with their fields.";

  function tokenOf(payload) {
    var names = Object.keys(payload || {});
    for (var i = 0; i < names.length; i += 1) {
      var entry = payload[names[i]];
      var value = entry && entry.value;
      if (typeof value === "string" && value.trim()) {
        return { scheme: names[i], value: value.trim() };
      }
    }
    return null;
  }

  function load(system, token) {
    var headers = { Accept: "application/json" };
    if (token.scheme === "bearer") {
      headers.Authorization = "Bearer " + token.value;
    } else {
      headers["access-token"] = token.value;
    }
    root.setAttribute("data-state", "loading");
    fetch(specUrl, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) {
            var reason = "HTTP " + response.status;
            try {
              reason = JSON.parse(text).message || reason;
            } catch (ignored) { /* not JSON */ }
            throw new Error(reason);
          }
          return text;
        });
      })
      .then(function (text) {
        system.specActions.updateSpec(text);
        root.setAttribute("data-state", "loaded");
      })
      .catch(function (error) {
        system.specActions.updateSpec(placeholder(
          "**The API document could not be loaded:** " + error.message +
          "\n\nClick **Authorize**, log out, and enter a valid access token."));
        root.setAttribute("data-state", "error");
      });
  }

  function LoadOnAuthorize() {
    return {
      statePlugins: {
        auth: {
          wrapActions: {
            authorize: function (original, system) {
              return function (payload) {
                var result = original(payload);
                var token = tokenOf(payload);
                if (token) {
                  load(system, token);
                }
                return result;
              };
            },
            logout: function (original, system) {
              return function (payload) {
                var result = original(payload);
                system.specActions.updateSpec(placeholder(WELCOME));
                root.setAttribute("data-state", "waiting");
                return result;
              };
            }
          }
        }
      }
    };
  }

  window.ui = window.SwaggerUIBundle({
    spec: JSON.parse(placeholder(WELCOME)),
    dom_id: "#swagger-ui",
    presets: [window.SwaggerUIBundle.presets.apis],
    plugins: [LoadOnAuthorize],
    layout: "BaseLayout",
    validatorUrl: null,
    deepLinking: false,
    persistAuthorization: false,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    docExpansion: "list"
  });
  root.setAttribute("data-state", "waiting");
}());
