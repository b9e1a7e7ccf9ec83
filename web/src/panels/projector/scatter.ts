/**
 * A WebGL point cloud for up to millions of points: one draw call over interleaved positions and
 * RGBA bytes, redrawn on demand (one frame per change). 2-D pans and zooms, 3-D rotates. Hit tests
 * run on the CPU against screen positions that are recomputed only when the camera moves.
 * An overlay canvas draws the lasso/box and the focused points.
 *
 * Points are uploaded in a fixed random order: no class is always painted over the others, and
 * while the view moves only the first INTERACTIVE points (a uniform sample) are drawn, so a
 * software renderer (SwiftShader) stays fluid; the full set is drawn once the view rests.
 */
import { boxPolygon, type Camera, DEFAULT_CAMERA, lassoSelect, matrix, nearest, toScreen } from './geometry';
import { dragged, keyed, zoomed } from './camera';
import type { Mode } from './state';

/** Points drawn while the view moves; the rest follow when it rests for SETTLE_MS. */
const INTERACTIVE = 40_000;
const SETTLE_MS = 160;

export interface ScatterEvents {
  hover(index: number, x: number, y: number): void;
  click(index: number): void;
  select(indices: number[]): void;
}

const VERT = `
attribute vec3 a_pos;
attribute vec4 a_color;
uniform mat4 u_m;
uniform float u_size;
varying vec4 v_color;
void main() {
  gl_Position = u_m * vec4(a_pos, 1.0);
  gl_PointSize = u_size;
  v_color = a_color;
}`;

const FRAG = `
precision mediump float;
varying vec4 v_color;
uniform float u_round;
void main() {
  if (u_round > 0.5) {
    vec2 d = gl_PointCoord - vec2(0.5);
    if (dot(d, d) > 0.25) discard;
  }
  gl_FragColor = vec4(v_color.rgb * v_color.a, v_color.a);
}`;

export class Scatter {
  readonly canvas: HTMLCanvasElement;
  readonly overlay: HTMLCanvasElement;
  private readonly gl: WebGLRenderingContext;
  private readonly program: WebGLProgram;
  private readonly posBuf: WebGLBuffer;
  private readonly colBuf: WebGLBuffer;
  private n = 0;
  private xyz: Float32Array = new Float32Array(0);
  private order: Uint32Array = new Uint32Array(0);
  private moving = false;
  private measure = false;
  private settleTimer = 0;
  private screen: Float32Array | null = null;
  private cam: Camera = { ...DEFAULT_CAMERA };
  private size = 3;
  private frame = 0;
  private width = 0;
  private height = 0;
  private dpr = 1;
  private mode: Mode = 'pan';
  private focus: number[] = [];
  private path: [number, number][] = [];
  private readonly ro: ResizeObserver;
  private readonly cleanup: (() => void)[] = [];
  /** Called after each frame with the time it took (ms), for the first-draw measurement. */
  onDrawn: ((ms: number, complete: boolean) => void) | null = null;

  constructor(private readonly host: HTMLElement, private readonly events: ScatterEvents) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'pj-gl';
    this.overlay = document.createElement('canvas');
    this.overlay.className = 'pj-overlay';
    this.overlay.tabIndex = 0;
    this.overlay.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-hidden', 'true');
    host.append(this.canvas, this.overlay);
    const gl = this.canvas.getContext('webgl', { antialias: false, premultipliedAlpha: true, preserveDrawingBuffer: true });
    if (!gl) throw new Error('WebGL is not available in this browser');
    this.gl = gl;
    this.program = link(gl, VERT, FRAG);
    this.posBuf = gl.createBuffer()!;
    this.colBuf = gl.createBuffer()!;
    this.ro = new ResizeObserver(() => this.resize());
    this.ro.observe(host);
    this.resize();
    this.listen();
  }

  /** New points: interleaved xyz in the unit cube and RGBA bytes. Keeps the camera. */
  setPoints(xyz: Float32Array, colors: Uint8Array, size: number): void {
    const gl = this.gl;
    this.n = xyz.length / 3;
    this.xyz = xyz;
    this.size = size;
    this.screen = null;
    this.measure = true;
    if (this.order.length !== this.n) this.order = shuffled(this.n);
    const shuffledXyz = new Float32Array(xyz.length);
    const order = this.order;
    for (let k = 0; k < this.n; k++) {
      const i = order[k]! * 3;
      shuffledXyz[k * 3] = xyz[i]!;
      shuffledXyz[k * 3 + 1] = xyz[i + 1]!;
      shuffledXyz[k * 3 + 2] = xyz[i + 2]!;
    }
    gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf);
    gl.bufferData(gl.ARRAY_BUFFER, shuffledXyz, gl.STATIC_DRAW);
    this.setColors(colors);
  }

  /** RGBA bytes per point, in the points' own order. */
  setColors(colors: Uint8Array): void {
    const gl = this.gl;
    const out = new Uint32Array(this.n);
    const src = new Uint32Array(colors.buffer, colors.byteOffset, Math.min(this.n, colors.length >> 2));
    const order = this.order;
    for (let k = 0; k < src.length; k++) out[k] = src[order[k]!]!;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colBuf);
    gl.bufferData(gl.ARRAY_BUFFER, new Uint8Array(out.buffer), gl.DYNAMIC_DRAW);
    this.request();
  }

  setDims(dims: 2 | 3): void {
    this.cam = { ...this.cam, dims };
    this.changed();
  }

  setMode(mode: Mode): void {
    this.mode = mode;
    this.host.dataset.mode = mode;
  }

  resetView(): void {
    this.cam = { ...DEFAULT_CAMERA, dims: this.cam.dims };
    this.changed();
  }

  /** How many points are drawn. */
  get count(): number {
    return this.n;
  }

  /** Points drawn with a ring on the overlay (the hovered or clicked point, its neighbours). */
  setFocus(indices: number[]): void {
    this.focus = indices;
    this.drawOverlay();
  }

  /** Screen position (CSS px, relative to the canvas) of point `i`. */
  screenOf(i: number): [number, number] | null {
    const s = this.screens();
    return i >= 0 && i < this.n ? [s[i * 2]!, s[i * 2 + 1]!] : null;
  }

  destroy(): void {
    cancelAnimationFrame(this.frame);
    window.clearTimeout(this.settleTimer);
    this.ro.disconnect();
    for (const fn of this.cleanup) fn();
    const lose = this.gl.getExtension('WEBGL_lose_context');
    lose?.loseContext();
    this.canvas.remove();
    this.overlay.remove();
  }

  private changed(): void {
    this.screen = null;
    this.request();
  }

  /** The view is moving: draw the sample now, everything when it rests. */
  private moved(): void {
    this.moving = true;
    window.clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => {
      this.moving = false;
      this.request();
    }, SETTLE_MS);
    this.changed();
  }

  private screens(): Float32Array {
    if (!this.screen) this.screen = toScreen(this.xyz, matrix(this.cam, this.width, this.height), this.width, this.height);
    return this.screen;
  }

  private request(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private resize(): void {
    const rect = this.host.getBoundingClientRect();
    this.dpr = Math.min(window.devicePixelRatio || 1, 2);
    this.width = Math.max(1, Math.round(rect.width));
    this.height = Math.max(1, Math.round(rect.height));
    for (const c of [this.canvas, this.overlay]) {
      c.width = Math.round(this.width * this.dpr);
      c.height = Math.round(this.height * this.dpr);
      c.style.width = `${this.width}px`;
      c.style.height = `${this.height}px`;
    }
    this.changed();
  }

  private draw(): void {
    const t0 = performance.now();
    const gl = this.gl;
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    if (this.n > 0) {
      gl.useProgram(this.program);
      gl.enable(gl.BLEND);
      gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      gl.disable(gl.DEPTH_TEST);
      const pos = gl.getAttribLocation(this.program, 'a_pos');
      const col = gl.getAttribLocation(this.program, 'a_color');
      gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf);
      gl.enableVertexAttribArray(pos);
      gl.vertexAttribPointer(pos, 3, gl.FLOAT, false, 0, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.colBuf);
      gl.enableVertexAttribArray(col);
      gl.vertexAttribPointer(col, 4, gl.UNSIGNED_BYTE, true, 0, 0);
      gl.uniformMatrix4fv(gl.getUniformLocation(this.program, 'u_m'), false, matrix(this.cam, this.width, this.height));
      gl.uniform1f(gl.getUniformLocation(this.program, 'u_size'), this.size * this.dpr);
      // Round points cost a discard per fragment: square ones are indistinguishable when tiny.
      gl.uniform1f(gl.getUniformLocation(this.program, 'u_round'), this.size >= 3 ? 1 : 0);
      const count = this.moving ? Math.min(this.n, INTERACTIVE) : this.n;
      gl.drawArrays(gl.POINTS, 0, count);
      // On the first frame of new points, one pixel read waits for the drawing to finish, so the
      // first-draw time is real; later frames stay asynchronous.
      if (this.measure) {
        this.measure = false;
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
      }
      this.canvas.dataset.drawnPoints = String(count);
    }
    this.drawOverlay();
    this.onDrawn?.(performance.now() - t0, !this.moving);
  }

  private drawOverlay(): void {
    const ctx = this.overlay.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.width, this.height);
    const accent = getComputedStyle(this.host).getPropertyValue('--accent').trim() || '#4f6bed';
    const text = getComputedStyle(this.host).getPropertyValue('--text').trim() || '#1b1f24';
    if (this.focus.length) {
      const s = this.screens();
      ctx.lineWidth = 1.5;
      this.focus.forEach((i, k) => {
        if (i < 0 || i >= this.n) return;
        ctx.strokeStyle = k === 0 ? text : accent;
        ctx.beginPath();
        ctx.arc(s[i * 2]!, s[i * 2 + 1]!, k === 0 ? 7 : 5, 0, Math.PI * 2);
        ctx.stroke();
      });
    }
    if (this.path.length > 1) {
      ctx.strokeStyle = accent;
      ctx.fillStyle = 'rgba(79, 107, 237, 0.08)';
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      const poly = this.mode === 'box' ? boxPolygon(this.path[0]!, this.path[this.path.length - 1]!) : this.path;
      poly.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.closePath();
      ctx.fill();
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  private listen(): void {
    const el = this.overlay;
    let down: { x: number; y: number; cam: Camera; moved: boolean; id: number } | null = null;
    let hoverFrame = 0;
    const local = (e: MouseEvent): [number, number] => {
      const r = el.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    const on = <K extends keyof HTMLElementEventMap>(type: K, fn: (e: HTMLElementEventMap[K]) => void, opts?: AddEventListenerOptions): void => {
      el.addEventListener(type, fn as EventListener, opts);
      this.cleanup.push(() => el.removeEventListener(type, fn as EventListener));
    };
    on('pointerdown', (e) => {
      const [x, y] = local(e);
      down = { x, y, cam: { ...this.cam }, moved: false, id: e.pointerId };
      el.setPointerCapture(e.pointerId);
      if (this.mode !== 'pan' || e.shiftKey) this.path = [[x, y]];
    });
    on('pointermove', (e) => {
      const [x, y] = local(e);
      if (!down) {
        if (hoverFrame) return;
        hoverFrame = requestAnimationFrame(() => {
          hoverFrame = 0;
          const i = nearest(this.screens(), x, y, Math.max(6, this.size + 3));
          this.events.hover(i, x, y);
        });
        return;
      }
      if (Math.abs(x - down.x) + Math.abs(y - down.y) > 3) down.moved = true;
      if (this.path.length) {
        this.path.push([x, y]);
        this.drawOverlay();
        return;
      }
      this.cam = dragged(down.cam, x - down.x, y - down.y, Math.min(this.width, this.height));
      this.moved();
    });
    const up = (e: PointerEvent): void => {
      if (!down) return;
      const [x, y] = local(e);
      const wasMoved = down.moved;
      down = null;
      if (this.path.length) {
        const poly = this.mode === 'box' ? boxPolygon(this.path[0]!, [x, y]) : this.path;
        this.path = [];
        this.drawOverlay();
        if (wasMoved) {
          this.events.select(lassoSelect(this.screens(), poly));
          return;
        }
      }
      if (!wasMoved) this.events.click(nearest(this.screens(), x, y, Math.max(6, this.size + 3)));
    };
    on('pointerup', up);
    on('pointercancel', () => {
      down = null;
      this.path = [];
      this.drawOverlay();
    });
    on('pointerleave', () => {
      if (!down) this.events.hover(-1, 0, 0);
    });
    on(
      'wheel',
      (e) => {
        e.preventDefault();
        const [x, y] = local(e);
        this.cam = zoomed(this.cam, e.deltaY, x, y, this.width, this.height);
        this.moved();
      },
      { passive: false },
    );
    // The scatter is focusable: arrows pan (turn in 3-D), + and - zoom, 0 resets.
    on('keydown', (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const cam = keyed(this.cam, e.key, this.width, this.height);
      if (!cam) return;
      e.preventDefault();
      this.cam = cam;
      this.moved();
    });
  }
}

/** 0..n-1 in a fixed pseudo-random order (Fisher-Yates with a small LCG, so it is the same each time). */
function shuffled(n: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  let seed = 12345;
  for (let i = n - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const j = seed % (i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

function link(gl: WebGLRenderingContext, vs: string, fs: string): WebGLProgram {
  const compile = (type: number, src: string): WebGLShader => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(s) ?? ''}`);
    return s;
  };
  const p = gl.createProgram()!;
  gl.attachShader(p, compile(gl.VERTEX_SHADER, vs));
  gl.attachShader(p, compile(gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`program: ${gl.getProgramInfoLog(p) ?? ''}`);
  return p;
}
