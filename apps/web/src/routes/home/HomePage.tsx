export function HomePage() {
  return (
    <section className="page">
      <h1>Markets</h1>
    </section>
  );
}
