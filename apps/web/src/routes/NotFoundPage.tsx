import { Link } from "react-router";

export function NotFoundPage() {
  return (
    <section className="page narrow">
      <h1>Page not found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link className="btn" to="/">
        Back to markets
      </Link>
    </section>
  );
}
