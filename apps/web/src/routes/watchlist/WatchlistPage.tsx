export function WatchlistPage() {
  return (
    <section className="page">
      <h1>Watchlist</h1>
    </section>
  );
}
