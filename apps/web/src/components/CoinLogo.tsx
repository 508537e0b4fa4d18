import { useState } from "react";

/**
 * A coin's logo from UCIE's own origin (`/logos/<id>`, set only when the server holds one), or a drawn badge
 * with the ticker's initial, the same size, when there is none: no request that can fail, nothing asked of
 * a third party. Decorative: put the coin's name next to it.
 */
export function CoinLogo({ src, symbol, size = 24 }: { src: string | null | undefined; symbol: string; size?: number }) {
  const [failed, setFailed] = useState(false);
  if (!src || failed) {
    // a steady colour per ticker, so badges tell coins apart at a glance
    const hue = [...symbol.toUpperCase()].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 360, 7);
    const style = {
      width: size,
      height: size,
      fontSize: Math.max(9, Math.round(size * 0.42)),
      background: `hsl(${hue} 45% 28%)`,
    };
    return (
      <span className="coin-logo coin-fallback" style={style} aria-hidden="true">
        {symbol.slice(0, 1).toUpperCase() || "?"}
      </span>
    );
  }
  return <img className="coin-logo" src={src} alt="" width={size} height={size} loading="lazy" onError={() => setFailed(true)} />;
}
