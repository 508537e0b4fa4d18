import { createBrowserRouter, RouterProvider } from "react-router";
import { Layout } from "./components/Layout";
import { RequireAuth } from "./lib/auth";
import { AccountPage } from "./routes/account/AccountPage";
import { NotificationsPage } from "./routes/account/NotificationsPage";
import { AlertsPage } from "./routes/alerts/AlertsPage";
import { CheckInboxPage } from "./routes/auth/CheckInboxPage";
import { ForgotPasswordPage } from "./routes/auth/ForgotPasswordPage";
import { LoginPage } from "./routes/auth/LoginPage";
import { RegisterPage } from "./routes/auth/RegisterPage";
import { ResetPasswordPage } from "./routes/auth/ResetPasswordPage";
import { VerifyPage } from "./routes/auth/VerifyPage";
import { HomePage } from "./routes/home/HomePage";
import { NotFoundPage } from "./routes/NotFoundPage";
import { TokenPage } from "./routes/token/TokenPage";
import { WatchlistPage } from "./routes/watchlist/WatchlistPage";

const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: "/", element: <HomePage /> },
      {
        path: "/token/:id",
        element: (
          <RequireAuth>
            <TokenPage />
          </RequireAuth>
        ),
      },
      {
        path: "/watchlist",
        element: (
          <RequireAuth>
            <WatchlistPage />
          </RequireAuth>
        ),
      },
      {
        path: "/alerts",
        element: (
          <RequireAuth>
            <AlertsPage />
          </RequireAuth>
        ),
      },
      {
        path: "/account",
        element: (
          <RequireAuth>
            <AccountPage />
          </RequireAuth>
        ),
      },
      {
        path: "/account/notifications",
        element: (
          <RequireAuth>
            <NotificationsPage />
          </RequireAuth>
        ),
      },
      { path: "/login", element: <LoginPage /> },
      { path: "/register", element: <RegisterPage /> },
      { path: "/check-inbox", element: <CheckInboxPage /> },
      { path: "/verify", element: <VerifyPage /> },
      { path: "/forgot-password", element: <ForgotPasswordPage /> },
      { path: "/reset-password", element: <ResetPasswordPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);

export function App() {
  return <RouterProvider router={router} />;
}
