// Start GraphiQL against this server's own GraphQL endpoint.
//
// The script is a separate file, not inline, so that a Content-Security-Policy without
// 'unsafe-inline' can serve the page.
(function () {
  "use strict";

  var ENDPOINT = "/graphql";

  var DEFAULT_QUERY = [
    "# Explorateur de l'API GraphQL du portail client.",
    "#",
    "# Connecté au portail dans ce navigateur, vos requêtes",
    "# utilisent votre session. Un système tiers envoie son",
    "# jeton d'API dans l'onglet « Headers » :",
    "#   { \"Authorization\": \"Bearer <jeton>\" }",
    "#",
    "# Ctrl+Entrée exécute la requête. La documentation du",
    "# schéma s'ouvre avec l'icône en haut à gauche.",
    "",
    "{",
    "  __typename",
    "}",
    "",
  ].join("\n");

  // Same-origin credentials send the session cookie, and a JSON content type is what the
  // gateway requires of cookie-authenticated requests to rule out cross-site posts.
  function fetchGraphQL(graphQLParams, options) {
    var headers = Object.assign(
      { "Content-Type": "application/json", Accept: "application/json" },
      (options && options.headers) || {}
    );
    return fetch(ENDPOINT, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: JSON.stringify(graphQLParams),
    }).then(function (response) {
      return response.json();
    });
  }

  var explorer = React.createElement(
    GraphiQL,
    {
      fetcher: fetchGraphQL,
      defaultQuery: DEFAULT_QUERY,
      // API tokens typed into the headers tab must not outlive the tab in localStorage.
      shouldPersistHeaders: false,
    },
    React.createElement(GraphiQL.Logo, null, "Explorateur GraphQL")
  );

  ReactDOM.createRoot(document.getElementById("explorateur")).render(explorer);
})();
