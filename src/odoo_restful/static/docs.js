/* odoo-restful API explorer: Swagger UI, served by the gateway itself.
 *
 * The page opens on the one route that needs no token, POST /api/auth/token
 * (data-start-url). A successful sign-in there, or "Authorize" with a token one
 * already has, applies the token and loads the index (data-spec-url): every model
 * the user can read, with the routes in generic form. The model picker then loads a
 * model's full document (data-model-url) with its fields. The token lives in this
 * page's memory only (never in localStorage). Loaded as a file, not inline, so that
 * the page's Content-Security-Policy can forbid inline scripts.
 */
(function () {
  "use strict";

  var root = document.getElementById("odoo-restful-docs");
  var specUrl = root.getAttribute("data-spec-url");
  var startUrl = root.getAttribute("data-start-url");
  var modelUrl = root.getAttribute("data-model-url");
  var picker = root.querySelector(".model-picker");
  var select = document.getElementById("odoo-restful-model");
  var models = new URLSearchParams(window.location.search).get("models");
  if (models) {
    specUrl += "?models=" + encodeURIComponent(models);
  }
  var TOKEN_PATHS = ["/api/auth/token", "/api/auth/token/refresh"];

  var current = null; // {scheme, value}: the token in use
  var startSpec = null; // the sign-in document, as an object
  var system = null;

  function withMessage(message) {
    var spec = JSON.parse(JSON.stringify(startSpec));
    spec.info.description = message + "\n\n" + spec.info.description;
    return spec;
  }

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

  function fetchJson(url, token) {
    var headers = { Accept: "application/json" };
    if (token) {
      if (token.scheme === "bearer") {
        headers.Authorization = "Bearer " + token.value;
      } else {
        headers["access-token"] = token.value;
      }
    }
    return fetch(url, { headers: headers, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.text().then(function (text) {
          if (!response.ok) {
            var reason = "HTTP " + response.status;
            try {
              reason = JSON.parse(text).message || reason;
            } catch (ignored) { /* not JSON */ }
            throw new Error(reason);
          }
          return JSON.parse(text);
        });
      });
  }

  function fillPicker(spec) {
    var listed = spec["x-odoo-models"];
    if (!Array.isArray(listed)) {
      return; // a document of named models: no picker
    }
    select.textContent = "";
    var all = document.createElement("option");
    all.value = "";
    all.textContent = "All " + listed.length + " models (generic routes)";
    select.appendChild(all);
    listed.forEach(function (entry) {
      var option = document.createElement("option");
      option.value = entry.model;
      option.textContent = entry.model;
      select.appendChild(option);
    });
    picker.hidden = false;
  }

  function show(url, fromIndex) {
    root.setAttribute("data-state", "loading");
    return fetchJson(url, current)
      .then(function (spec) {
        if (fromIndex) {
          fillPicker(spec);
        }
        system.specActions.updateSpec(JSON.stringify(spec));
        root.setAttribute("data-state", "loaded");
      })
      .catch(function (error) {
        system.specActions.updateSpec(JSON.stringify(withMessage(
          "**The API document could not be loaded:** " + error.message +
          "\n\nSign in again, or click **Authorize**, log out, and enter a valid token.")));
        picker.hidden = true;
        root.setAttribute("data-state", "error");
      });
  }

  select.addEventListener("change", function () {
    if (!current) {
      return;
    }
    if (select.value) {
      show(modelUrl.replace("{model}", encodeURIComponent(select.value)), false);
    } else {
      show(specUrl, true);
    }
  });

  // A token issued on the page (POST /api/auth/token, or a refresh) is applied at once.
  function applyIssuedToken(response) {
    try {
      var path = new URL(response.url, window.location.href).pathname;
      if (response.ok && TOKEN_PATHS.some(function (p) { return path.endsWith(p); })) {
        var body = response.body;
        if (!body || typeof body !== "object") {
          body = JSON.parse(response.text);
        }
        if (body && typeof body.access_token === "string") {
          window.setTimeout(function () {
            // preauthorizeApiKey fills the Authorize dialog, but does not go through
            // the wrapped authorize action: load the index here.
            window.ui.preauthorizeApiKey("accessToken", body.access_token);
            current = { scheme: "accessToken", value: body.access_token };
            show(specUrl, true);
          }, 0);
        }
      }
    } catch (ignored) { /* not a token answer */ }
    return response;
  }

  function LoadOnAuthorize() {
    return {
      statePlugins: {
        auth: {
          wrapActions: {
            authorize: function (original) {
              return function (payload) {
                var result = original(payload);
                var token = tokenOf(payload);
                if (token) {
                  current = token;
                  show(specUrl, true);
                }
                return result;
              };
            },
            logout: function (original) {
              return function (payload) {
                var result = original(payload);
                current = null;
                picker.hidden = true;
                system.specActions.updateSpec(JSON.stringify(startSpec));
                root.setAttribute("data-state", "waiting");
                return result;
              };
            }
          }
        }
      }
    };
  }

  function start(spec) {
    startSpec = spec;
    window.ui = window.SwaggerUIBundle({
      spec: spec,
      dom_id: "#swagger-ui",
      presets: [window.SwaggerUIBundle.presets.apis],
      plugins: [LoadOnAuthorize],
      layout: "BaseLayout",
      validatorUrl: null,
      deepLinking: false,
      persistAuthorization: false,
      displayRequestDuration: true,
      defaultModelsExpandDepth: 0,
      docExpansion: "list",
      responseInterceptor: applyIssuedToken
    });
    system = window.ui;
    root.setAttribute("data-state", "waiting");
  }

  fetchJson(startUrl, null).then(start).catch(function (error) {
    root.setAttribute("data-state", "error");
    root.appendChild(document.createTextNode(" (could not load: " + error.message + ")"));
  });
}());
