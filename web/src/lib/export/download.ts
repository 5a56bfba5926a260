/**
 * Export files: names, the PNG raster of the SVG (an offscreen canvas), and
 * the download itself. `exportFileName` and `pngScale` are pure; the rest
 * needs a browser.
 */

/** `pacscope-2026-11-22T07-45-03.svg`: local time, no characters file systems refuse. */
export function exportFileName(extension: string, date: Date = new Date()): string {
  const p = (v: number) => String(v).padStart(2, '0');
  const stamp = `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}-${p(date.getMinutes())}-${p(date.getSeconds())}`;
  return `pacscope-${stamp}.${extension}`;
}

/** Browsers cap a canvas side (32,767 px) and area (Firefox ~125 Mpx). */
export const CANVAS_LIMITS = { side: 32_000, area: 120_000_000 } as const;

/** Pixels per SVG unit for a PNG of a width × height diagram: `preferred` (sharp on HiDPI) unless the canvas would be too large. */
export function pngScale(width: number, height: number, preferred = 2): number {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  return Math.min(preferred, CANVAS_LIMITS.side / w, CANVAS_LIMITS.side / h, Math.sqrt(CANVAS_LIMITS.area / (w * h)));
}

/** Rasterises a standalone SVG document (layoutToSvg) to a PNG blob. */
export async function svgToPng(svg: string, width: number, height: number): Promise<Blob> {
  const scale = pngScale(width, height);
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.decoding = 'async';
    const loaded = new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('the SVG could not be rasterised'));
    });
    image.src = url;
    await loaded;
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.floor(width * scale));
    canvas.height = Math.max(1, Math.floor(height * scale));
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the PNG could not be encoded'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Saves a blob as a file (an <a download> click). */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
