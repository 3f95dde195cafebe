// The explorer at /: GraphiQL (schema docs, completion, validation, history) talking to
// this server's /graphql, subscriptions over WebSocket (graphql-transport-ws). The token
// goes in the Headers tab as {"Authorization": "Bearer <token>"}; the same headers are
// the WebSocket's connection_init payload, as the server expects.
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { useSchemaStore } from "@graphiql/react";
import { GraphiQL } from "graphiql";
import React, { useRef } from "react";
import { createRoot } from "react-dom/client";
import "graphiql/style.css";

const http = new URL("/graphql", window.location.href);
const ws = new URL(http);
ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";

const fetcher = createGraphiQLFetcher({
  url: http.href,
  subscriptionUrl: ws.href,
  // The server answers application/graphql-response+json, not multipart.
  enableIncrementalDelivery: false,
});

const defaultQuery = `# AGIR: paste a token in the Headers tab below, then run (Ctrl-Enter).
# Development tokens: printed by the server at start-up, or ./agir token -role coordinator
query Me {
  me {
    name
    role
    departments
  }
}
`;

const defaultHeaders = `{
  "Authorization": "Bearer "
}`;

// Explorer reads the schema again once the headers stop changing: the schema needs a
// token (introspection is refused without one), so pasting it loads the documentation
// and the completion without a click on "Re-fetch GraphQL schema".
function Explorer() {
  const introspect = useSchemaStore((s) => s.introspect);
  const timer = useRef(0);
  const onEditHeaders = () => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => introspect(), 400);
  };
  return (
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={defaultQuery}
      defaultHeaders={defaultHeaders}
      defaultEditorToolsVisibility="headers"
      shouldPersistHeaders={true}
      onEditHeaders={onEditHeaders}
    />
  );
}

createRoot(document.getElementById("graphiql")).render(<Explorer />);
