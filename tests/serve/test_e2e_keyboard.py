"""Keyboard-only use in headless Chromium, over a store with data for every panel: the tabs follow
the WAI-ARIA tabs pattern (arrows move and open, one tab stop), and in every tab the Tab key reaches
every control and every clickable element (found from the page's own click listeners), each shows a
focus ring, and each one that is not a native control answers keys itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_e2e_a11y import show_tab, tab_keys, watch_errors

from every_panel import seed
from torchloupe.serve.app import STATIC
from torchloupe.serve.server import start

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (STATIC / "index.html").is_file(), reason="the page is not built (make web)"),
]

# Marks every element the page shows that a pointer can use, with `data-kb` = its index, and returns
# for each: a description, whether it is focusable, its roving-focus composite (grid, tab list) if
# any, and whether it is a native control (one the browser operates by keyboard itself).
MARK = """() => {
  const CONTROL = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex], [role=button], '
    + '[role=gridcell], [role=tab], [role=slider], [role=checkbox], [role=link], [role=option]';
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
    && !el.closest('[hidden], dialog:not([open])');
  const all = new Set([...document.querySelectorAll(CONTROL), ...document.querySelectorAll('[data-kb-click]')]);
  const out = [];
  for (const el of all) {
    if (!(el instanceof Element) || el === document.body || !shown(el)) continue;
    if (el.matches(':disabled') || el.closest('[inert]')) continue;
    // A click listener on an element that holds a control (a label, a delegating list) is served
    // by that control.
    if (!el.matches(CONTROL) && el.querySelector(CONTROL)) continue;
    el.dataset.kb = String(out.length);
    const native = el.matches('a[href], button, input, select, textarea, summary');
    const composite = el.closest('[role=grid], [role=tablist], [role=listbox]');
    out.push({
      what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}[${el.getAttribute('data-testid') || el.getAttribute('aria-label') || el.className || ''}] "${(el.textContent || '').trim().slice(0, 30)}"`,
      focusable: el.tabIndex >= 0 || (native && el.tabIndex !== -1),
      composite: composite ? (composite.id || composite.getAttribute('data-testid') || composite.getAttribute('aria-label')) : null,
      native,
    });
  }
  return out;
}"""

# Records what gets focus, and whether it shows a ring then.
RECORD = """() => {
  window.__kbSeen = [];
  document.addEventListener('focusin', (e) => {
    const el = e.target;
    const s = getComputedStyle(el);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== 'none';
    window.__kbSeen.push({ kb: el.dataset ? el.dataset.kb ?? null : null, ring, what: el.tagName + ' ' + (el.getAttribute('data-testid') || el.className || '') });
  });
}"""


# Pointer gestures with a keyboard way round them elsewhere: the projector's point canvas (lasso, box
# and pan; its points are reached through the search, the legend and the gallery).
POINTER_ONLY: tuple[str, ...] = ()


def mark_clickable(cdp) -> None:
    """Marks (`data-kb-click`) the elements of the header and main that have a click or pointer
    listener of their own, as the debugger reports them."""
    array = cdp.send("Runtime.evaluate", {"expression": "[...document.querySelectorAll('main *, header *')]"})
    props = cdp.send("Runtime.getProperties", {"objectId": array["result"]["objectId"], "ownProperties": True})
    marked = 0
    for prop in props["result"]:
        object_id = prop.get("value", {}).get("objectId")
        if not prop["name"].isdigit() or object_id is None:
            continue
        listeners = cdp.send("DOMDebugger.getEventListeners", {"objectId": object_id})["listeners"]
        if any(lst["type"] in ("click", "pointerdown", "mousedown") for lst in listeners):
            cdp.send("Runtime.callFunctionOn", {"objectId": object_id,
                                                "functionDeclaration": "function () { this.dataset.kbClick = ''; }"})
            marked += 1
    assert marked > 0, "no element with a click listener: the lookup is broken"


def answers_keys(page, cdp, kb: str) -> bool:
    """Whether the element (or an ancestor delegating to it) listens to keys."""
    obj = cdp.send("Runtime.evaluate", {"expression": f"document.querySelector('[data-kb=\"{kb}\"]')"})["result"]
    while obj.get("objectId"):
        listeners = cdp.send("DOMDebugger.getEventListeners", {"objectId": obj["objectId"]})["listeners"]
        if any(lst["type"] in ("keydown", "keyup", "keypress") for lst in listeners):
            return True
        obj = cdp.send("Runtime.callFunctionOn", {"objectId": obj["objectId"],
                                                  "functionDeclaration": "function () { return this.parentElement; }"})["result"]
    return False


def tab_walk(page, limit: int = 1500) -> list[dict]:
    """Presses Tab from the top of the page until focus comes round again; what got focus, in order."""
    page.evaluate("() => { window.__kbSeen = []; document.activeElement && document.activeElement.blur(); }")
    page.locator("body").focus()
    for pressed in range(limit):
        page.keyboard.press("Tab")
        if pressed % 25 == 24:
            seen = page.evaluate("() => window.__kbSeen.map((s) => s.kb)")
            if seen and seen[0] is not None and seen.count(seen[0]) > 1:
                break
    return page.evaluate("() => window.__kbSeen")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("e2e-keyboard") / "loupe"
    seed(store_dir)
    handle = start(store_dir, port=0)
    yield handle.url
    handle.stop()


def test_tabs_follow_the_aria_tabs_pattern(page, dashboard):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(dashboard)
    page.wait_for_function("() => window.__loupe && window.__loupe.ready", timeout=20000)
    keys = tab_keys(page)
    assert len(keys) > 2
    tabs = page.get_by_role("tab")
    expect(tabs.and_(page.locator("[tabindex='0']"))).to_have_count(1)  # one tab stop
    page.get_by_test_id(f"tab-{keys[0]}").focus()
    for key in [*keys[1:], keys[0]]:  # ArrowRight walks every tab and wraps round
        page.keyboard.press("ArrowRight")
        expect(page.get_by_test_id(f"tab-{key}")).to_be_focused()
        expect(page.get_by_test_id(f"tab-{key}")).to_have_attribute("aria-selected", "true")
        page.wait_for_function(f"() => location.hash === '#{key}'")
    page.keyboard.press("End")
    expect(page.get_by_test_id(f"tab-{keys[-1]}")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    expect(page.get_by_test_id(f"tab-{keys[0]}")).to_have_attribute("aria-selected", "true")
    # The shown panels are the tab's panels, and name it.
    panel = page.locator("main section[role=tabpanel]:not([hidden])").first
    expect(panel).to_have_attribute("aria-labelledby", f"tab-{keys[0]}")


def test_confusion_matrix_cells_are_a_grid_walked_by_arrows(page, dashboard):
    page.goto(f"{dashboard}#evaluation")
    body = page.locator("[data-testid=confusion-body][data-state=ready]")
    grid = body.get_by_role("grid").first
    cells = grid.get_by_role("gridcell")
    expect(cells.first).to_have_attribute("tabindex", "0")
    cells.first.focus()
    page.keyboard.press("ArrowRight")
    expect(grid.locator("[data-target='0'][data-predicted='1']")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(grid.locator("[data-target='1'][data-predicted='1']")).to_be_focused()
    page.keyboard.press("Enter")  # the diagonal cell opens its examples
    expect(page.get_by_test_id("cell-filter")).to_be_visible()


def test_the_keyboard_reaches_every_control_with_a_focus_ring(page, dashboard):
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = watch_errors(page)
    page.goto(dashboard)
    page.wait_for_function("() => window.__loupe && window.__loupe.ready", timeout=20000)
    cdp = page.context.new_cdp_session(page)
    page.evaluate(RECORD)
    problems: list[str] = []
    for key in tab_keys(page):
        show_tab(page, key, drawn=True)
        mark_clickable(cdp)
        marked = page.evaluate(MARK)
        seen = tab_walk(page)
        reached = {s["kb"] for s in seen if s["kb"] is not None}
        composites = {marked[int(k)]["composite"] for k in reached if marked[int(k)]["composite"]}
        for s in seen:
            if not s["ring"]:
                problems.append(f"[{key}] no focus ring: {s['what']}")
        for i, m in enumerate(marked):
            if str(i) in reached:
                if not m["native"] and not answers_keys(page, cdp, str(i)):
                    problems.append(f"[{key}] focusable but deaf to keys: {m['what']}")
            elif m["composite"] in composites and m["composite"] is not None:
                continue  # a cell of a grid, a tab of the tab list: the arrows reach it
            elif not any(allowed in m["what"] for allowed in POINTER_ONLY):
                problems.append(f"[{key}] not reached by Tab: {m['what']}")
        page.evaluate("""() => document.querySelectorAll('[data-kb], [data-kb-click]').forEach((el) => {
            el.removeAttribute('data-kb');
            el.removeAttribute('data-kb-click');
        })""")
    assert errors == []
    assert not sorted(set(problems)), "\n".join(sorted(set(problems)))
