/**
 * A QR code drawn in the page: uqr (MIT, no dependencies) encodes the text into modules and we draw
 * them as one SVG path. Nothing leaves the browser: an otpauth:// URI holds a secret, so no image
 * service may ever see it.
 */
import { encode } from "uqr";

export function QrCode({ text, label, size = 200 }: { text: string; label: string; size?: number }) {
  const { data } = encode(text, { ecc: "M", border: 2 });
  const n = data.length;
  let d = "";
  data.forEach((row, y) =>
    row.forEach((on, x) => {
      if (on) d += `M${x} ${y}h1v1h-1z`;
    }),
  );
  return (
    <svg className="qr-code" role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${n} ${n}`} shapeRendering="crispEdges">
      <rect width={n} height={n} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
