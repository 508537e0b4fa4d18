import { lazy, Suspense, type ComponentType, type ReactNode } from "react";
import { createBrowserRouter, type RouteObject } from "react-router";
// the DOM build of RouterProvider: it can render a navigation at once (`flushSync`), which signing out relies on
import { RouterProvider } from "react-router/dom";
import { Layout } from "./components/Layout";
import { RequireAuth } from "./lib/auth";
import { FiguresPage } from "./lib/preferences";
// the landing page ships in the first bundle; every other page is fetched when first visited
import { HomePage } from "./routes/home/HomePage";

/** A page module loaded on demand (React.lazy wants a default export; ours are named). */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}

const TokenPage = page(() => import("./routes/token/TokenPage"), "TokenPage");
const WatchlistPage = page(() => import("./routes/watchlist/WatchlistPage"), "WatchlistPage");
const AlertsPage = page(() => import("./routes/alerts/AlertsPage"), "AlertsPage");
const ScreenerPage = page(() => import("./routes/screener/ScreenerPage"), "ScreenerPage");
const AccountPage = page(() => import("./routes/account/AccountPage"), "AccountPage");
const NotificationsPage = page(() => import("./routes/account/NotificationsPage"), "NotificationsPage");
const LoginPage = page(() => import("./routes/auth/LoginPage"), "LoginPage");
const RegisterPage = page(() => import("./routes/auth/RegisterPage"), "RegisterPage");
const CheckInboxPage = page(() => import("./routes/auth/CheckInboxPage"), "CheckInboxPage");
const VerifyPage = page(() => import("./routes/auth/VerifyPage"), "VerifyPage");
const ForgotPasswordPage = page(() => import("./routes/auth/ForgotPasswordPage"), "ForgotPasswordPage");
const ResetPasswordPage = page(() => import("./routes/auth/ResetPasswordPage"), "ResetPasswordPage");
const AdminArea = page(() => import("./routes/admin/AdminArea"), "AdminArea");
const NotFoundPage = page(() => import("./routes/NotFoundPage"), "NotFoundPage");

export function PageLoading() {
  return (
    <div className="page-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      Loading…
    </div>
  );
}

const load = (node: ReactNode) => <Suspense fallback={<PageLoading />}>{node}</Suspense>;
const signedIn = (node: ReactNode) => load(<RequireAuth>{node}</RequireAuth>);
/** a page of figures, shown again in a new currency or time zone without losing its state */
const figures = (page: ComponentType) => <FiguresPage page={page} />;

export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { path: "/", element: figures(HomePage) },
      { path: "/token/:id", element: signedIn(figures(TokenPage)) },
      { path: "/watchlist", element: signedIn(figures(WatchlistPage)) },
      { path: "/alerts", element: signedIn(figures(AlertsPage)) },
      { path: "/screener", element: load(figures(ScreenerPage)) },
      { path: "/account", element: signedIn(figures(AccountPage)) },
      { path: "/admin/*", element: signedIn(figures(AdminArea)) },
      { path: "/account/notifications", element: signedIn(figures(NotificationsPage)) },
      { path: "/login", element: load(<LoginPage />) },
      { path: "/register", element: load(<RegisterPage />) },
      { path: "/check-inbox", element: load(<CheckInboxPage />) },
      { path: "/verify", element: load(<VerifyPage />) },
      { path: "/forgot-password", element: load(<ForgotPasswordPage />) },
      { path: "/reset-password", element: load(<ResetPasswordPage />) },
      { path: "*", element: load(<NotFoundPage />) },
    ],
  },
];

const router = createBrowserRouter(routes);

export function App() {
  return <RouterProvider router={router} />;
}
