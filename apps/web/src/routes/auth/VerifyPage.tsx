export function VerifyPage() {
  return (
    <section className="page">
      <h1>Verify your e-mail</h1>
    </section>
  );
}
