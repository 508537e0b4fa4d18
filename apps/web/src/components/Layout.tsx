import { NavLink, Outlet, Link } from "react-router";
import { useMe } from "../lib/auth";
import { PreferencesProvider, usePreferences } from "../lib/preferences";
import { AlertNotifications } from "./AlertNotifications";

export function Layout() {
  return (
    <PreferencesProvider>
      <Shell />
    </PreferencesProvider>
  );
}

/** Header, page and footer; rendered again when the display settings change (the header's alert list shows prices). */
function Shell() {
  const { me } = useMe();
  usePreferences();
  return (
    <div className="app-shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand" aria-label="UCIE home">
          <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="#0b1220" />
            <path d="M7 21l6-7 5 4 7-9" stroke="#38bdf8" strokeWidth="3" fill="none" strokeLinecap="round" strokeLinejoin="round" />
          </svg>
          <span>UCIE</span>
        </Link>
        <nav aria-label="Main" className="main-nav">
          <NavLink to="/" end>
            Markets
          </NavLink>
          <NavLink to="/watchlist">Watchlist</NavLink>
          <NavLink to="/alerts">Alerts</NavLink>
          <NavLink to="/screener">Screener</NavLink>
          {me?.role === "admin" && <NavLink to="/admin">Admin</NavLink>}
        </nav>
        <div className="header-account">
          <AlertNotifications />
          {me ? (
            <>
              <NavLink to="/account/notifications" className="account-link">
                Notifications
              </NavLink>
              <NavLink to="/account" end className="account-link" title={me.email}>
                Account
              </NavLink>
            </>
          ) : (
            <>
              <NavLink to="/login">Log in</NavLink>
              <NavLink to="/register" className="btn btn-primary btn-sm">
                Register
              </NavLink>
            </>
          )}
        </div>
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="app-footer">
        <span>UCIE · Universal Crypto Intelligence Engine</span>
        <span className="muted">Not financial advice. Market data: CoinGecko and others, as labelled.</span>
      </footer>
    </div>
  );
}
