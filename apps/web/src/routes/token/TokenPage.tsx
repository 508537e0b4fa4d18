export function TokenPage() {
  return (
    <section className="page">
      <h1>Token</h1>
    </section>
  );
}
