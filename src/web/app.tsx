import { Button, FluentProvider, Spinner, webDarkTheme, webLightTheme } from "@fluentui/react-components";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, useSyncExternalStore } from "react";
import { Route, Routes, useLocation, useNavigate } from "react-router";
import { ErrorBar } from "./components.tsx";
import { AccountBlade } from "./pages/account-blade.tsx";
import { ActivityLog } from "./pages/activity-log.tsx";
import { Directory } from "./pages/directory.tsx";
import { ResourceGroup } from "./pages/resource-group.tsx";
import { Subscription } from "./pages/subscription.tsx";
import { Subscriptions } from "./pages/subscriptions.tsx";
import { completeSignIn, currentUser, onSessionChange, sessionEndReason, signIn, signOut } from "./session.ts";
import { Shell } from "./shell.tsx";

type Theme = "light" | "dark";
const initialTheme = (): Theme =>
  (localStorage.getItem("keyless-portal-theme") as Theme | null) ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");

export function App() {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const user = useSyncExternalStore(onSessionChange, currentUser);
  const [pending, setPending] = useState(() => new URLSearchParams(location.search).has("code"));
  const [error, setError] = useState<unknown>();
  const navigate = useNavigate();
  const where = useLocation();
  const queries = useQueryClient();

  useEffect(() => {
    if (!pending) return;
    completeSignIn()
      .then((returnTo) => navigate(returnTo ?? "/", { replace: true }))
      .catch(setError)
      .finally(() => setPending(false));
  }, [pending, navigate]);

  const toggleTheme = () => {
    const next = theme === "light" ? "dark" : "light";
    localStorage.setItem("keyless-portal-theme", next);
    setTheme(next);
  };
  const leave = () => {
    signOut();
    queries.clear();
  };

  let body: React.ReactNode;
  if (pending) body = <Spinner label="Signing in…" />;
  else if (!user)
    body = (
      <SignedOut
        error={error ?? (sessionEndReason() ? new Error(sessionEndReason()) : undefined)}
        returnTo={`${where.pathname}${where.search}`}
      />
    );
  else
    body = (
      <Shell user={user} theme={theme} onToggleTheme={toggleTheme} onSignOut={leave}>
        <Routes>
          <Route path="/" element={<Subscriptions />} />
          <Route path="/subscriptions/:sub" element={<Subscription />} />
          <Route path="/subscriptions/:sub/resourceGroups/:rg" element={<ResourceGroup />} />
          <Route path="/subscriptions/:sub/resourceGroups/:rg/accounts/:account" element={<AccountBlade />} />
          <Route path="/directory" element={<Directory />} />
          <Route path="/activity" element={<ActivityLog />} />
          <Route path="*" element={<ErrorBar error={new Error("There is no such page in the portal.")} title="Not found" />} />
        </Routes>
      </Shell>
    );
  return (
    <FluentProvider theme={theme === "light" ? webLightTheme : webDarkTheme} style={{ minHeight: "100vh" }}>
      {body}
    </FluentProvider>
  );
}

function SignedOut(props: { error: unknown; returnTo: string }) {
  return (
    <main style={{ maxWidth: 480, margin: "15vh auto", padding: 24, display: "flex", flexDirection: "column", gap: 16 }}>
      <h1 style={{ margin: 0 }}>Keyless portal</h1>
      <p style={{ margin: 0 }}>Sign in with your Keyless account. What you see and can change follows your role assignments.</p>
      <ErrorBar error={props.error} title="Sign-in failed" />
      <Button appearance="primary" onClick={() => void signIn(props.returnTo)}>
        Sign in
      </Button>
    </main>
  );
}
