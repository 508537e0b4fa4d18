import { useState } from "react";

/**
 * A coin's logo, or its ticker's first letter in a circle when there is no image or it fails to load
 * (offline there is no internet, and CoinGecko's image host may be blocked). Decorative: put the coin's
 * name next to it.
 */
export function CoinLogo({ src, symbol, size = 24 }: { src: string | null | undefined; symbol: string; size?: number }) {
  const [failed, setFailed] = useState(false);
  const style = { width: size, height: size, fontSize: Math.max(9, Math.round(size * 0.42)) };
  if (!src || failed) {
    return (
      <span className="coin-logo coin-fallback" style={style} aria-hidden="true">
        {symbol.slice(0, 1).toUpperCase() || "?"}
      </span>
    );
  }
  return (
    <img
      className="coin-logo"
      src={src}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      referrerPolicy="no-referrer"
      onError={() => setFailed(true)}
    />
  );
}
