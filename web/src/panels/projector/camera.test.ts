import { describe, expect, it } from 'vitest';
import { dragged, keyed, PITCH_MAX, ZOOM_MAX, ZOOM_MIN, zoomed } from './camera';
import { DEFAULT_CAMERA } from './geometry';

describe('camera', () => {
  it('a 2-D drag pans so the data follows the pointer', () => {
    const c = dragged(DEFAULT_CAMERA, 90, -45, 400);
    expect(c.panX).toBeCloseTo(90 / 180);
    expect(c.panY).toBeCloseTo(45 / 180);
    expect(c.zoom).toBe(DEFAULT_CAMERA.zoom);
  });

  it('a 3-D drag turns, the pitch held short of flipping over', () => {
    const cam = { ...DEFAULT_CAMERA, dims: 3 as const };
    const c = dragged(cam, 100, 0, 300);
    expect(c.yaw).toBeCloseTo(cam.yaw + 1);
    expect(c.panX).toBe(0);
    expect(dragged(cam, 0, 10_000, 300).pitch).toBe(PITCH_MAX);
    expect(dragged(cam, 0, -10_000, 300).pitch).toBe(-PITCH_MAX);
  });

  it('a zero-sized canvas does not divide by zero', () => {
    expect(Number.isFinite(dragged(DEFAULT_CAMERA, 5, 5, 0).panX)).toBe(true);
    expect(Number.isFinite(zoomed(DEFAULT_CAMERA, -100, 0, 0, 0, 0).panX)).toBe(true);
  });

  it('zooming keeps the data under the pointer in place', () => {
    const cam = { ...DEFAULT_CAMERA, panX: 0.2, panY: -0.1 };
    const [x, y, w, h] = [300, 100, 400, 300];
    const c = zoomed(cam, -240, x, y, w, h);
    expect(c.zoom).toBeGreaterThan(cam.zoom);
    const half = Math.min(w, h) / 2;
    const dataAt = (k: typeof cam): [number, number] => [((x - w / 2) / half) / k.zoom - k.panX, (-(y - h / 2) / half) / k.zoom - k.panY];
    expect(dataAt(c)[0]).toBeCloseTo(dataAt(cam)[0]);
    expect(dataAt(c)[1]).toBeCloseTo(dataAt(cam)[1]);
  });

  it('zoom stops at its limits', () => {
    expect(zoomed(DEFAULT_CAMERA, -1e6, 0, 0, 100, 100).zoom).toBe(ZOOM_MAX);
    expect(zoomed(DEFAULT_CAMERA, 1e6, 0, 0, 100, 100).zoom).toBe(ZOOM_MIN);
    const atMax = { ...DEFAULT_CAMERA, zoom: ZOOM_MAX };
    expect(zoomed(atMax, -100, 10, 10, 100, 100)).toMatchObject({ zoom: ZOOM_MAX, panX: atMax.panX, panY: atMax.panY });
  });

  it('3-D zoom does not pan', () => {
    const cam = { ...DEFAULT_CAMERA, dims: 3 as const };
    const c = zoomed(cam, -100, 0, 0, 100, 100);
    expect([c.panX, c.panY]).toEqual([0, 0]);
    expect(c.zoom).toBeGreaterThan(cam.zoom);
  });

  it('keys pan, zoom around the centre and reset; other keys are not taken', () => {
    expect(keyed(DEFAULT_CAMERA, 'ArrowRight', 400, 400)!.panX).toBeGreaterThan(0);
    expect(keyed(DEFAULT_CAMERA, 'ArrowLeft', 400, 400)!.panX).toBeLessThan(0);
    expect(keyed(DEFAULT_CAMERA, 'ArrowUp', 400, 400)!.panY).toBeGreaterThan(0);
    expect(keyed(DEFAULT_CAMERA, 'ArrowDown', 400, 400)!.panY).toBeLessThan(0);
    const zin = keyed(DEFAULT_CAMERA, '+', 400, 400)!;
    expect(zin.zoom).toBeGreaterThan(DEFAULT_CAMERA.zoom);
    expect([zin.panX, zin.panY]).toEqual([0, 0]);
    expect(keyed(DEFAULT_CAMERA, '-', 400, 400)!.zoom).toBeLessThan(DEFAULT_CAMERA.zoom);
    const moved = { ...DEFAULT_CAMERA, dims: 3 as const, zoom: 5, yaw: 2 };
    expect(keyed(moved, '0', 400, 400)).toEqual({ ...DEFAULT_CAMERA, dims: 3 });
    expect(keyed(moved, 'ArrowRight', 400, 400)!.yaw).toBeGreaterThan(2);
    expect(keyed(DEFAULT_CAMERA, 'a', 400, 400)).toBeNull();
  });
});
