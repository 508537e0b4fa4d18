export function ResetPasswordPage() {
  return (
    <section className="page">
      <h1>Choose a new password</h1>
    </section>
  );
}
