import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { App } from "./app.tsx";
import { SessionExpiredError } from "./session.ts";

const queries = new QueryClient({
  defaultOptions: {
    // A 401/403 or a lapsed session is an answer, not a hiccup: show it at once instead of retrying.
    queries: {
      retry: (count, error) =>
        count < 1 && !(error instanceof SessionExpiredError) && !/^4/.test(String((error as { status?: number }).status ?? "")),
      refetchOnWindowFocus: false,
    },
  },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <BrowserRouter basename="/portal">
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
