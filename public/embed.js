// Portico's widget loader. On any page:
//
//   <script src="https://portal.example.com/embed.js" async></script>
//   <div data-portico-widget="card" data-entity="component:default/checkout"></div>
//   <portico-widget widget="graph" entity="component:default/checkout" depth="2"></portico-widget>
//
// Each becomes an iframe of the portal's widget (/embed/…) that takes the height of its
// content as it changes and follows this page's light or dark colours unless given
// `theme`. Elements added later are picked up. A portal people sign in to is embedded
// with a link signed in its "Embed" dialog: `data-signed="…"` (or `signed="…"`).
// Nothing from the portal is put into this page but the iframe, and only messages from
// the portal's own frames are read.
(() => {
  "use strict";
  if (window.__porticoEmbed) return;
  window.__porticoEmbed = true;
  const portal = new URL(document.currentScript.src).origin;
  const PARAMS = ["compact", "depth", "relation", "kind", "direction", "way", "q", "signed"];
  const frames = new Set();

  // An attribute of a widget element: `depth` on <portico-widget>, `data-depth` else.
  function attribute(host, name) {
    const custom = host.localName === "portico-widget";
    return host.getAttribute(custom ? name : name === "widget" ? "data-portico-widget" : "data-" + name);
  }

  // This page's colours: its root's `color-scheme` when it chose one, else the system's.
  function hostTheme() {
    const scheme = getComputedStyle(document.documentElement).colorScheme;
    if (scheme === "dark" || scheme === "only dark") return "dark";
    if (scheme === "light" || scheme === "only light") return "light";
    return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  // The widget's address, or null (with a warning) when the element names none.
  function address(host) {
    const widget = (attribute(host, "widget") || "").trim();
    let path;
    if (widget === "search") {
      path = "/embed/search";
    } else {
      const entity = /^([^:/\s]+):(?:([^/\s]+)\/)?([^/\s]+)$/.exec((attribute(host, "entity") || "").trim());
      if (!/^[a-z]+$/.test(widget) || !entity) {
        console.warn("Portico: a widget needs widget=\"card|owner|graph|impact|api|docs|search\" and entity=\"kind:namespace/name\"", host);
        return null;
      }
      const [, kind, namespace = "default", name] = entity;
      path = "/embed/" + widget + "/" + [namespace, kind, name].map(encodeURIComponent).join("/");
      const page = attribute(host, "page");
      if (widget === "docs" && page) path += "/" + page.split("/").map(encodeURIComponent).join("/");
    }
    const query = new URLSearchParams();
    const theme = attribute(host, "theme");
    query.set("theme", theme === "light" || theme === "dark" ? theme : hostTheme());
    for (const name of PARAMS) {
      const value = attribute(host, name);
      if (value !== null) query.set(name, value);
    }
    return portal + path + "?" + query;
  }

  function mount(host) {
    const src = address(host);
    if (!src) return;
    let frame = host.__porticoFrame;
    if (frame && frame.__porticoSrc === src) return;
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = (attribute(host, "widget") || "widget") + " from Portico";
      frame.loading = "lazy";
      frame.style.cssText = "display:block;width:100%;height:150px;border:0;color-scheme:normal";
      host.__porticoFrame = frame;
      host.appendChild(frame);
      frames.add(frame);
    }
    frame.__porticoAuto = !["light", "dark"].includes(attribute(host, "theme"));
    frame.__porticoSrc = src;
    frame.src = src;
  }

  function scan(root) {
    if (root.matches && root.matches("[data-portico-widget]")) mount(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-portico-widget]").forEach(mount);
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== portal || !event.data || event.data.portico !== "size") return;
    const height = Number(event.data.height);
    if (!Number.isFinite(height)) return;
    for (const frame of frames) {
      if (!frame.isConnected) {
        frames.delete(frame);
      } else if (frame.contentWindow === event.source) {
        frame.style.height = Math.min(Math.max(height, 0), 20000) + "px";
      }
    }
  });

  // Widgets that follow this page's colours are told when they change.
  function retheme() {
    const theme = hostTheme();
    for (const frame of frames) {
      if (frame.__porticoAuto && frame.contentWindow) {
        frame.contentWindow.postMessage({ portico: "theme", theme }, portal);
      }
    }
  }
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", retheme);
  new MutationObserver(retheme).observe(document.documentElement, {
    attributes: true,
    attributeFilter: ["class", "style", "data-theme"],
  });

  if (window.customElements && !customElements.get("portico-widget")) {
    customElements.define("portico-widget", class extends HTMLElement {
      static get observedAttributes() {
        return ["widget", "entity", "theme", "page"].concat(PARAMS);
      }
      connectedCallback() {
        if (!this.style.display) this.style.display = "block";
        mount(this);
      }
      attributeChangedCallback() {
        if (this.isConnected) mount(this);
      }
    });
  }

  const start = () => {
    scan(document);
    new MutationObserver((changes) => {
      for (const change of changes) {
        if (change.type === "attributes") scan(change.target);
        else change.addedNodes.forEach(scan);
      }
    }).observe(document.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["data-portico-widget", "data-entity", "data-theme", "data-page"].concat(PARAMS.map((p) => "data-" + p)),
    });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
