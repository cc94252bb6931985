// Portico: the script of a widget page (/embed/…). It tells the page embedding the
// widget how tall the widget is whenever that changes, and takes the theme that page
// asks for. It talks only to the origins the portal lets embed it (data-origins, and
// the portal's own), and listens only to its parent window.
(() => {
  "use strict";
  zoomable(document.querySelector(".embed-graph__canvas"));
  if (window.parent === window) return;
  const script = document.currentScript;
  const allowed = new Set([location.origin]);
  for (const origin of (script && script.dataset.origins || "").split(" ")) {
    if (origin) allowed.add(origin);
  }
  // The parent's origin as the browser knows it; the referrer where it does not say.
  let parent = location.ancestorOrigins && location.ancestorOrigins[0];
  if (!parent && document.referrer) {
    try {
      parent = new URL(document.referrer).origin;
    } catch (_) {
      parent = undefined;
    }
  }
  const targets = parent && parent !== location.origin
    ? (allowed.has(parent) ? [parent] : [])
    : [...allowed];

  let reported = -1;
  function report() {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === reported) return;
    reported = height;
    for (const origin of targets) {
      window.parent.postMessage({ portico: "size", height }, origin);
    }
  }
  new ResizeObserver(report).observe(document.documentElement);
  window.addEventListener("load", report);
  report();

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !allowed.has(event.origin)) return;
    const data = event.data;
    if (data && data.portico === "theme" && ["light", "dark", "system"].includes(data.theme)) {
      document.documentElement.dataset.theme = data.theme;
    }
  });
})();

// The graph widget's drawing: ctrl/⌘ + wheel (or a pinch) and the + - 0 keys zoom it,
// dragging pans it; a plain wheel scrolls as usual.
function zoomable(canvas) {
  const svg = canvas && canvas.querySelector("svg");
  if (!svg) return;
  const width = svg.width.baseVal.value;
  const height = svg.height.baseVal.value;
  let scale = 1;
  const zoom = (factor) => {
    scale = factor ? Math.min(4, Math.max(0.2, scale * factor)) : 1;
    svg.setAttribute("width", String(Math.round(width * scale)));
    svg.setAttribute("height", String(Math.round(height * scale)));
  };
  canvas.addEventListener("wheel", (event) => {
    if (!event.ctrlKey && !event.metaKey) return;
    event.preventDefault();
    zoom(Math.exp(-event.deltaY / 300));
  }, { passive: false });
  canvas.addEventListener("keydown", (event) => {
    const factor = { "+": 1.25, "=": 1.25, "-": 0.8, "0": 0 }[event.key];
    if (factor === undefined) return;
    event.preventDefault();
    zoom(factor);
  });
  let drag = null;
  canvas.addEventListener("pointerdown", (event) => {
    if (event.button !== 0 || event.target.closest("a")) return;
    drag = [event.clientX, event.clientY, canvas.scrollLeft, canvas.scrollTop];
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag) return;
    canvas.scrollLeft = drag[2] - (event.clientX - drag[0]);
    canvas.scrollTop = drag[3] - (event.clientY - drag[1]);
  });
  canvas.addEventListener("pointerup", () => { drag = null; });
}
