/**
 * Pure geometry of the projector: fitting points into the unit cube, the camera matrix, projecting
 * to the screen, and hit tests (nearest point, lasso polygon, box).
 */

/** A column-major 4x4 matrix, as WebGL wants it. */
export type Mat4 = Float32Array;

export interface Camera {
  /** 2 or 3 dimensions: 2-D pans and zooms, 3-D rotates around the origin. */
  dims: 2 | 3;
  zoom: number;
  panX: number;
  panY: number;
  yaw: number;
  pitch: number;
}

export const DEFAULT_CAMERA: Camera = { dims: 2, zoom: 0.9, panX: 0, panY: 0, yaw: 0.6, pitch: 0.35 };

/**
 * Interleaved xyz in [-1, 1] (z = 0 in 2-D) from `n` rows of `dims` coordinates: centred on the
 * bounding box and scaled by its largest side, so the aspect ratio of the projection is kept.
 * Non-finite coordinates go to the origin.
 */
export function normalize(coords: Float32Array, n: number, dims: number): Float32Array {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      const v = coords[i * dims + d]!;
      if (!Number.isFinite(v)) continue;
      if (v < lo[d]!) lo[d] = v;
      if (v > hi[d]!) hi[d] = v;
    }
  }
  let span = 0;
  const mid = [0, 0, 0];
  for (let d = 0; d < dims; d++) {
    if (hi[d]! < lo[d]!) continue;
    mid[d] = (lo[d]! + hi[d]!) / 2;
    span = Math.max(span, hi[d]! - lo[d]!);
  }
  const scale = span > 0 ? 2 / span : 1;
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dims; d++) {
      const v = coords[i * dims + d]!;
      out[i * 3 + d] = Number.isFinite(v) ? (v - mid[d]!) * scale : 0;
    }
  }
  return out;
}

/** The matrix from the unit cube to clip space for a canvas of `width` x `height`. */
export function matrix(cam: Camera, width: number, height: number): Mat4 {
  const side = Math.min(width, height) || 1;
  const sx = (cam.zoom * side) / (width || 1);
  const sy = (cam.zoom * side) / (height || 1);
  const m = new Float32Array(16);
  if (cam.dims === 2) {
    m[0] = sx;
    m[5] = sy;
    m[10] = 1;
    m[12] = cam.panX * sx;
    m[13] = cam.panY * sy;
    m[15] = 1;
    return m;
  }
  // Rotate around y (yaw) then x (pitch); orthographic, with z kept for the depth test.
  const cy = Math.cos(cam.yaw), syw = Math.sin(cam.yaw);
  const cp = Math.cos(cam.pitch), sp = Math.sin(cam.pitch);
  // Rows of R = Rx(pitch) * Ry(yaw).
  const r = [
    [cy, 0, syw],
    [sp * syw, cp, -sp * cy],
    [-cp * syw, sp, cp * cy],
  ];
  const s = [sx * 0.8, sy * 0.8, 0.5];
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) m[col * 4 + row] = r[row]![col]! * s[row]!;
  }
  m[12] = cam.panX * sx;
  m[13] = cam.panY * sy;
  m[15] = 1;
  return m;
}

/** Screen positions (CSS pixels, y down) of interleaved xyz points under matrix `m`. */
export function toScreen(xyz: Float32Array, m: Mat4, width: number, height: number, out?: Float32Array): Float32Array {
  const n = xyz.length / 3;
  const res = out && out.length === n * 2 ? out : new Float32Array(n * 2);
  const hw = width / 2, hh = height / 2;
  for (let i = 0; i < n; i++) {
    const x = xyz[i * 3]!, y = xyz[i * 3 + 1]!, z = xyz[i * 3 + 2]!;
    const cx = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
    const cy = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
    res[i * 2] = (cx + 1) * hw;
    res[i * 2 + 1] = (1 - cy) * hh;
  }
  return res;
}

/** The index of the visible point nearest to (x, y) within `radius` pixels, or -1. */
export function nearest(screen: Float32Array, x: number, y: number, radius: number, visible?: Uint8Array | null): number {
  let best = -1;
  let bestD = radius * radius;
  const n = screen.length / 2;
  for (let i = 0; i < n; i++) {
    const dx = screen[i * 2]! - x;
    if (dx > radius || dx < -radius) continue;
    const dy = screen[i * 2 + 1]! - y;
    const d = dx * dx + dy * dy;
    if (d <= bestD && (!visible || visible[i])) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/** Whether (x, y) lies inside the polygon (even-odd rule). */
export function inPolygon(poly: readonly (readonly [number, number])[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Indices of the screen points inside a lasso polygon (bounding box first, then the polygon). */
export function lassoSelect(screen: Float32Array, poly: readonly (readonly [number, number])[]): number[] {
  if (poly.length < 3) return [];
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const [x, y] of poly) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x);
    y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const out: number[] = [];
  const n = screen.length / 2;
  for (let i = 0; i < n; i++) {
    const x = screen[i * 2]!, y = screen[i * 2 + 1]!;
    if (x < x0 || x > x1 || y < y0 || y > y1) continue;
    if (inPolygon(poly, x, y)) out.push(i);
  }
  return out;
}

/** The corners of the box spanned by two points, as a polygon. */
export function boxPolygon(a: readonly [number, number], b: readonly [number, number]): [number, number][] {
  return [[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]]];
}
