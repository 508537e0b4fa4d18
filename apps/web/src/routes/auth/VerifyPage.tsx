import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useTRPC } from "../../lib/trpc";
import { FormAlert, formError } from "./form";

export function VerifyPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  // read once: the token is then taken out of the address bar (and so out of history and bookmarks)
  const [token] = useState(() => params.get("token") ?? "");
  const verify = useMutation(trpc.auth.verifyEmail.mutationOptions());
  const { mutate: verifyEmail } = verify;
  const started = useRef(false);

  useEffect(() => {
    if (started.current || !token) return;
    started.current = true;
    window.history.replaceState(window.history.state, "", "/verify");
    verifyEmail({ token });
  }, [token, verifyEmail]);

  return (
    <section className="page narrow auth-page">
      <h1>Confirm your e-mail</h1>
      <div className="card stack" aria-live="polite">
        {!token && (
          <>
            <FormAlert>This link has no token. Open the link from the e-mail exactly as it is.</FormAlert>
            <Link className="btn" to="/check-inbox">
              Ask for a new link
            </Link>
          </>
        )}
        {token && (verify.isPending || verify.isIdle) && (
          <p role="status">
            <span className="spinner" aria-hidden="true" /> Confirming your address…
          </p>
        )}
        {verify.isSuccess && (
          <>
            <FormAlert kind="success">Your e-mail address is confirmed.</FormAlert>
            <Link className="btn btn-primary" to="/login">
              Log in
            </Link>
          </>
        )}
        {verify.isError && (
          <>
            <FormAlert>{formError(verify.error) ?? "This link is not valid."}</FormAlert>
            <div className="row">
              <Link className="btn" to="/check-inbox">
                Ask for a new link
              </Link>
              <Link className="btn btn-ghost" to="/login">
                Log in
              </Link>
            </div>
          </>
        )}
      </div>
    </section>
  );
}
