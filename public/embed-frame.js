// Portico: the script of a widget page (/embed/…). It tells the page embedding the
// widget how tall the widget is whenever that changes, and takes the theme that page
// asks for. It talks only to the origins the portal lets embed it (data-origins, and
// the portal's own), and listens only to its parent window.
(() => {
  "use strict";
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
