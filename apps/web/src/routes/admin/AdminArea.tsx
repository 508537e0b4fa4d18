/**
 * The admin area (`/admin/...`, one lazily loaded chunk): access codes, users, auth log, jobs, health.
 * Each page reads `admin.*`; the server refuses every call from a non-admin, the header link and the
 * guard here only keep non-admins from a page that would fail.
 */
import { NavLink, Navigate, Route, Routes } from "react-router";
import { useMe } from "../../lib/auth";
import { AccessCodesPage } from "./AccessCodesPage";
import { AuthLogPage } from "./AuthLogPage";
import { HealthPage } from "./HealthPage";
import { JobsPage } from "./JobsPage";
import { UsersPage } from "./UsersPage";

export function AdminArea() {
  const { me } = useMe();
  if (me?.role !== "admin")
    return (
      <section className="page narrow">
        <h1>Admin area</h1>
        <p className="muted">This needs an admin account.</p>
      </section>
    );
  return (
    <section className="page admin">
      <nav aria-label="Admin" className="admin-nav">
        <NavLink to="/admin/codes">Access codes</NavLink>
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/log">Auth log</NavLink>
        <NavLink to="/admin/jobs">Jobs</NavLink>
        <NavLink to="/admin/health">Health</NavLink>
      </nav>
      <Routes>
        <Route index element={<Navigate to="/admin/codes" replace />} />
        <Route path="codes" element={<AccessCodesPage />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="log" element={<AuthLogPage />} />
        <Route path="jobs" element={<JobsPage />} />
        <Route path="health" element={<HealthPage />} />
        <Route path="*" element={<Navigate to="/admin/codes" replace />} />
      </Routes>
    </section>
  );
}
