/**
 * Camera maths of the projector, pure: a drag pans (turns in 3-D), the wheel zooms around the
 * pointer within limits, keys pan, zoom and reset. The scatter keeps its camera and calls these.
 */
import { type Camera, DEFAULT_CAMERA } from './geometry';

export const ZOOM_MIN = 0.2;
export const ZOOM_MAX = 200;
/** Radians of pitch either way: past it the 3-D view would flip over. */
export const PITCH_MAX = 1.5;

/**
 * The camera after a drag of (dx, dy) CSS pixels from the camera `start` had at pointer-down:
 * 2-D pans (the data follows the pointer), 3-D turns around the origin.
 *
 * @example dragged(DEFAULT_CAMERA, 100, 0, 400).panX // 100 / (0.9 * 400 / 2)
 */
export function dragged(start: Camera, dx: number, dy: number, side: number): Camera {
  const s = side || 1;
  if (start.dims === 3) return { ...start, yaw: start.yaw + (dx / s) * 3, pitch: clamp(start.pitch + (dy / s) * 3, -PITCH_MAX, PITCH_MAX) };
  const k = (start.zoom * s) / 2;
  return { ...start, panX: start.panX + dx / k, panY: start.panY - dy / k };
}

/**
 * The camera after a wheel turn of `deltaY` with the pointer at (x, y) on a `width` x `height`
 * canvas: zoom within [ZOOM_MIN, ZOOM_MAX], in 2-D keeping the data under the pointer in place.
 *
 * @example zoomed(DEFAULT_CAMERA, -100, 200, 200, 400, 400).zoom // 0.9 * Math.exp(0.15)
 */
export function zoomed(cam: Camera, deltaY: number, x: number, y: number, width: number, height: number): Camera {
  const zoom = clamp(cam.zoom * Math.exp(-deltaY * 0.0015), ZOOM_MIN, ZOOM_MAX);
  if (cam.dims === 3) return { ...cam, zoom };
  const half = (Math.min(width, height) || 1) / 2;
  const cx = (x - width / 2) / half;
  const cy = -(y - height / 2) / half;
  const dx = cx / cam.zoom - cam.panX;
  const dy = cy / cam.zoom - cam.panY;
  return { ...cam, zoom, panX: cx / zoom - dx, panY: cy / zoom - dy };
}

/**
 * The camera after a key on the focused scatter: arrows pan (turn in 3-D) by a tenth of the
 * view, `+`/`-` zoom around the centre, `0` resets; null for any other key.
 *
 * @example keyed(DEFAULT_CAMERA, '+', 400, 400)?.zoom // larger than 0.9
 */
export function keyed(cam: Camera, key: string, width: number, height: number): Camera | null {
  const side = Math.min(width, height) || 1;
  const step = side / 10;
  switch (key) {
    case 'ArrowLeft': return dragged(cam, -step, 0, side);
    case 'ArrowRight': return dragged(cam, step, 0, side);
    case 'ArrowUp': return dragged(cam, 0, -step, side);
    case 'ArrowDown': return dragged(cam, 0, step, side);
    case '+': case '=': return zoomed(cam, -150, width / 2, height / 2, width, height);
    case '-': case '_': return zoomed(cam, 150, width / 2, height / 2, width, height);
    case '0': return { ...DEFAULT_CAMERA, dims: cam.dims };
    default: return null;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
