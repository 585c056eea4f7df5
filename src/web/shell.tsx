import { Button, makeStyles, Text, tokens } from "@fluentui/react-components";
import { DarkThemeRegular, SignOutRegular, WeatherSunnyRegular } from "@fluentui/react-icons";
import type { ReactNode } from "react";
import { NavLink } from "react-router";
import type { SignedInUser } from "./session.ts";

const useStyles = makeStyles({
  root: { display: "flex", flexDirection: "column", minHeight: "100vh" },
  bar: {
    display: "flex",
    alignItems: "center",
    gap: "12px",
    padding: "8px 16px",
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
    flexWrap: "wrap",
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400, marginRight: "auto" },
  barButton: { color: tokens.colorNeutralForegroundOnBrand },
  body: { display: "flex", flex: 1, "@media (max-width: 720px)": { flexDirection: "column" } },
  nav: {
    display: "flex",
    flexDirection: "column",
    gap: "2px",
    padding: "12px 8px",
    width: "200px",
    flexShrink: 0,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    "@media (max-width: 720px)": {
      flexDirection: "row",
      width: "auto",
      borderRight: "none",
      borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
      overflowX: "auto",
    },
  },
  link: {
    padding: "8px 12px",
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
    textDecoration: "none",
    whiteSpace: "nowrap",
    ":hover": { backgroundColor: tokens.colorNeutralBackground1Hover },
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
  active: { backgroundColor: tokens.colorNeutralBackground1Selected, fontWeight: tokens.fontWeightSemibold },
  main: { flex: 1, padding: "16px 24px", minWidth: 0, "@media (max-width: 720px)": { padding: "12px" } },
  user: { "@media (max-width: 720px)": { display: "none" } },
});

const LINKS = [
  { to: "/", label: "Resources", end: false },
  { to: "/directory", label: "Directory", end: true },
  { to: "/activity", label: "Activity log", end: true },
];

export function Shell(props: {
  user: SignedInUser;
  theme: "light" | "dark";
  onToggleTheme: () => void;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const styles = useStyles();
  const resourcesActive = (path: string) => path === "/" || path.startsWith("/subscriptions");
  return (
    <div className={styles.root}>
      <header className={styles.bar}>
        <span className={styles.brand}>Keyless portal</span>
        <Text className={styles.user} aria-label="Signed in as">
          {props.user.name} ({props.user.username})
        </Text>
        <Button
          appearance="transparent"
          className={styles.barButton}
          icon={props.theme === "light" ? <DarkThemeRegular /> : <WeatherSunnyRegular />}
          aria-label={props.theme === "light" ? "Dark theme" : "Light theme"}
          onClick={props.onToggleTheme}
        />
        <Button appearance="transparent" className={styles.barButton} icon={<SignOutRegular />} onClick={props.onSignOut}>
          Sign out
        </Button>
      </header>
      <div className={styles.body}>
        <nav className={styles.nav} aria-label="Portal">
          {LINKS.map((link) => (
            <NavLink
              key={link.to}
              to={link.to}
              end={link.end}
              className={({ isActive }) =>
                `${styles.link} ${(link.to === "/" ? resourcesActive(location.pathname.replace(/^\/portal/, "") || "/") : isActive) ? styles.active : ""}`
              }
            >
              {link.label}
            </NavLink>
          ))}
        </nav>
        <main className={styles.main}>{props.children}</main>
      </div>
    </div>
  );
}
