export function CheckInboxPage() {
  return (
    <section className="page">
      <h1>Check your inbox</h1>
    </section>
  );
}
