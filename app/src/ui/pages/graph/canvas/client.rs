//! What only the browser does with the graph: the view's pan and zoom, highlighting,
//! moving between nodes by keyboard, re-rooting without a page load, and exports.

use leptos::prelude::*;
use wasm_bindgen::{closure::Closure, JsCast};

use super::Viewport;
use crate::model::graph::draw::Earlier;
use crate::ui::dom::elements;

type Frame = NodeRef<leptos::html::Div>;
/// A box: left, top, width, height.
type Rect = (f64, f64, f64, f64);

/// The last drawing's places and view, so that the next one (re-rooted, filtered) keeps
/// what it can where it was.
struct Memory {
    places: Earlier,
    viewport: Viewport,
}

thread_local! {
    static MEMORY: std::cell::RefCell<Option<Memory>> = const { std::cell::RefCell::new(None) };
    /// Where a drag started (client x, y) and whether it moved far enough to be a drag
    /// rather than a click.
    static DRAG: std::cell::Cell<Option<(f64, f64, bool)>> = const { std::cell::Cell::new(None) };
    /// The fingers on the frame (pointer id, client x, y): two pinch, one pans.
    static TOUCHES: std::cell::RefCell<Vec<(i32, f64, f64)>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The timer that ends the zoom gesture under way, if one is.
    static ZOOMING: std::cell::Cell<Option<leptos::leptos_dom::helpers::TimeoutHandle>> = const { std::cell::Cell::new(None) };
}

/// How long after its last step a zoom gesture (wheel or pinch) counts as over.
const ZOOM_PAUSE: std::time::Duration = std::time::Duration::from_millis(150);

/// Marks the frame `graph-canvas--zooming` until the gesture pauses: on a large graph
/// its text is not drawn meanwhile (redrawing 1,000 titles at each scale is what cost
/// frames), and comes back once the view holds still.
fn zoom_gesture(frame: Frame) {
    let Some(element) = frame.get_untracked() else {
        return;
    };
    if let Some(timer) = ZOOMING.with(|z| z.take()) {
        timer.clear();
    }
    // Added at every step (it costs nothing when there): the frame may be a new one,
    // drawn while an earlier gesture's timer ran.
    let _ = element.class_list().add_1("graph-canvas--zooming");
    let end = move || {
        ZOOMING.with(|z| z.set(None));
        let _ = element.class_list().remove_1("graph-canvas--zooming");
    };
    let timer = set_timeout_with_handle(end, ZOOM_PAUSE).ok();
    ZOOMING.with(|z| z.set(timer));
}

/// The places of the drawing before this one, if any (none while hydrating: the first
/// drawing is the server's).
pub fn earlier() -> Earlier {
    MEMORY.with(|m| {
        m.borrow()
            .as_ref()
            .map(|m| m.places.clone())
            .unwrap_or_default()
    })
}

/// Turns the frame live (fixed height, panned and zoomed rather than scrolled) and shows
/// the picture once it is in the page: with `root` where it was on screen in the drawing
/// before, at the same scale, or else fitted.
pub fn start(
    frame: Frame,
    viewport: RwSignal<Viewport>,
    live: RwSignal<bool>,
    size: (f64, f64),
    places: Earlier,
    root: Option<String>,
) {
    let before = MEMORY.with(|m| m.borrow_mut().take());
    let anchored = before.and_then(|before| {
        let root = root?;
        let (ox, oy) = *before.places.get(&root)?;
        let &(nx, ny) = places.get(&root)?;
        let v = before.viewport;
        Some(Viewport {
            x: ox * v.scale + v.x - nx * v.scale,
            y: oy * v.scale + v.y - ny * v.scale,
            scale: v.scale,
        })
    });
    MEMORY.with(|m| {
        *m.borrow_mut() = Some(Memory {
            places,
            viewport: Viewport::IDENTITY,
        })
    });
    Effect::new(move |_| {
        let now = viewport.get();
        MEMORY.with(|m| {
            if let Some(memory) = m.borrow_mut().as_mut() {
                memory.viewport = now;
            }
        });
    });
    Effect::new(move |_| {
        if frame.get().is_some() {
            live.set(true);
            // The frame takes its live height on the next frame; place the view then.
            request_animation_frame(move || match (anchored, frame_size(frame)) {
                (Some(view), Some((_, _, width, height))) => {
                    viewport.set(view.kept_inside(size, (width, height)))
                }
                _ => fit(frame, viewport, size),
            });
        }
    });
    // A drag ends wherever the pointer is let go.
    let up = window_event_listener(leptos::ev::pointerup, |_| DRAG.with(|d| d.set(None)));
    on_cleanup(move || up.remove());
}

fn frame_size(frame: Frame) -> Option<Rect> {
    let rect = frame.get_untracked()?.get_bounding_client_rect();
    Some((rect.left(), rect.top(), rect.width(), rect.height()))
}

pub fn fit(frame: Frame, viewport: RwSignal<Viewport>, size: (f64, f64)) {
    if let Some((_, _, width, height)) = frame_size(frame) {
        viewport.set(Viewport::fit(size, (width, height)));
    }
}

pub fn zoom_centre(frame: Frame, viewport: RwSignal<Viewport>, factor: f64) {
    if let Some((_, _, width, height)) = frame_size(frame) {
        viewport.update(|v| *v = v.zoomed(factor, width / 2.0, height / 2.0));
    }
}

/// Ctrl/⌘ + wheel (and a trackpad's pinch, which browsers send as one) zooms at the
/// pointer; a plain wheel is left to scroll the page.
pub fn on_wheel(event: &leptos::ev::WheelEvent, frame: Frame, viewport: RwSignal<Viewport>) {
    if !(event.ctrl_key() || event.meta_key()) {
        return;
    }
    event.prevent_default();
    let Some((left, top, _, _)) = frame_size(frame) else {
        return;
    };
    let step = match event.delta_mode() {
        0 => event.delta_y(),
        _ => event.delta_y() * 16.0,
    };
    let factor = (-step * 0.002).exp();
    let (x, y) = (
        event.client_x() as f64 - left,
        event.client_y() as f64 - top,
    );
    zoom_gesture(frame);
    viewport.update(|v| *v = v.zoomed(factor, x, y));
}

/// The node (`g.graph-node`) an event happened in.
fn node_of(event: &web_sys::Event) -> Option<web_sys::Element> {
    let target = event.target()?.dyn_into::<web_sys::Element>().ok()?;
    target.closest(".graph-node").ok().flatten()
}

/// A node's box in the picture's coordinates, read from its rectangle.
fn node_box(node: &web_sys::Element) -> Option<Rect> {
    let rect = node.query_selector("rect").ok()??;
    let number = |name: &str| rect.get_attribute(name)?.parse::<f64>().ok();
    Some((
        number("x")?,
        number("y")?,
        number("width")?,
        number("height")?,
    ))
}

/// Keys: `+`/`=` and `-` zoom, `0` fits, `1` shows actual size; arrows pan, or with a
/// node focused move the focus to the nearest node that way.
pub fn on_key(
    event: &leptos::ev::KeyboardEvent,
    frame: Frame,
    viewport: RwSignal<Viewport>,
    size: (f64, f64),
) {
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    let arrow = match event.key().as_str() {
        "ArrowLeft" => Some((-1.0, 0.0)),
        "ArrowRight" => Some((1.0, 0.0)),
        "ArrowUp" => Some((0.0, -1.0)),
        "ArrowDown" => Some((0.0, 1.0)),
        _ => None,
    };
    match (event.key().as_str(), arrow) {
        ("+" | "=", _) => zoom_centre(frame, viewport, 1.25),
        ("-" | "_", _) => zoom_centre(frame, viewport, 0.8),
        ("0", _) => fit(frame, viewport, size),
        ("1", _) => viewport.set(Viewport::IDENTITY),
        (_, Some((dx, dy))) => match node_of(event) {
            Some(node) => move_focus(&node, dx, dy, frame, viewport),
            None => viewport.update(|v| *v = v.panned(-dx * 60.0, -dy * 60.0)),
        },
        _ => return,
    }
    event.prevent_default();
}

/// Focuses the nearest node from `node` in the direction (`dx`, `dy`), and brings it
/// into view.
fn move_focus(
    node: &web_sys::Element,
    dx: f64,
    dy: f64,
    frame: Frame,
    viewport: RwSignal<Viewport>,
) {
    let Some((x, y, w, h)) = node_box(node) else {
        return;
    };
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let Some(svg) = node.closest("svg").ok().flatten() else {
        return;
    };
    let mut best: Option<(f64, web_sys::Element, Rect)> = None;
    for other in elements(svg.query_selector_all(".graph-node")) {
        let Some(b) = node_box(&other) else { continue };
        let (ox, oy) = (b.0 + b.2 / 2.0 - cx, b.1 + b.3 / 2.0 - cy);
        let along = ox * dx + oy * dy;
        if along <= 1.0 {
            continue;
        }
        let aside = (ox * dy - oy * dx).abs();
        let cost = along + 2.0 * aside;
        if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
            best = Some((cost, other, b));
        }
    }
    let Some((_, next, (x, y, w, h))) = best else {
        return;
    };
    if let Some(link) = next
        .query_selector("a")
        .ok()
        .flatten()
        .and_then(|a| a.dyn_into::<web_sys::SvgElement>().ok())
    {
        let _ = link.focus();
    }
    // Into view: centred when it lies outside the frame.
    if let Some((_, _, width, height)) = frame_size(frame) {
        let v = viewport.get_untracked();
        let (left, top) = (x * v.scale + v.x, y * v.scale + v.y);
        let (right, bottom) = (left + w * v.scale, top + h * v.scale);
        if left < 0.0 || top < 0.0 || right > width || bottom > height {
            viewport.set(Viewport {
                x: width / 2.0 - (x + w / 2.0) * v.scale,
                y: height / 2.0 - (y + h / 2.0) * v.scale,
                ..v
            });
        }
    }
}

pub fn on_pointer_down(event: &leptos::ev::PointerEvent) {
    if event.pointer_type() == "touch" {
        TOUCHES.with(|t| {
            let mut touches = t.borrow_mut();
            // The first finger starts a new gesture: any left from one whose end the
            // frame missed (redrawn under it) are gone.
            if event.is_primary() {
                touches.clear();
            }
            if touches.len() < 2 {
                touches.push((
                    event.pointer_id(),
                    event.client_x() as f64,
                    event.client_y() as f64,
                ));
            }
        });
    } else if event.button() == 0 {
        DRAG.with(|d| {
            d.set(Some((
                event.client_x() as f64,
                event.client_y() as f64,
                false,
            )))
        });
    }
}

/// A finger left the frame (or the browser took the gesture over, to scroll).
pub fn on_pointer_end(event: &leptos::ev::PointerEvent) {
    let id = event.pointer_id();
    TOUCHES.with(|t| t.borrow_mut().retain(|&(touch, _, _)| touch != id));
}

pub fn on_pointer_move(
    event: &leptos::ev::PointerEvent,
    frame: Frame,
    viewport: RwSignal<Viewport>,
) {
    if event.pointer_type() == "touch" {
        on_touch_move(event, frame, viewport);
        return;
    }
    let Some((x, y, dragged)) = DRAG.with(|d| d.get()) else {
        return;
    };
    if event.buttons() & 1 == 0 {
        DRAG.with(|d| d.set(None));
        return;
    }
    let (nx, ny) = (event.client_x() as f64, event.client_y() as f64);
    let (dx, dy) = (nx - x, ny - y);
    if !dragged && dx.abs() + dy.abs() < 4.0 {
        return;
    }
    DRAG.with(|d| d.set(Some((nx, ny, true))));
    viewport.update(|v| *v = v.panned(dx, dy));
}

/// One finger pans; two pinch: the view zooms by how much farther apart they are, at
/// the point between them, and follows that point.
fn on_touch_move(event: &leptos::ev::PointerEvent, frame: Frame, viewport: RwSignal<Viewport>) {
    let id = event.pointer_id();
    let (x, y) = (event.client_x() as f64, event.client_y() as f64);
    let Some((before, after)) = TOUCHES.with(|t| {
        let mut touches = t.borrow_mut();
        let before = touches.clone();
        let finger = touches.iter_mut().find(|(touch, _, _)| *touch == id)?;
        (finger.1, finger.2) = (x, y);
        Some((before, touches.clone()))
    }) else {
        return;
    };
    let Some((left, top, _, _)) = frame_size(frame) else {
        return;
    };
    match (before.as_slice(), after.as_slice()) {
        ([(_, ax, ay), (_, bx, by)], [(_, cx, cy), (_, dx, dy)]) => {
            let spread = |x1: f64, y1: f64, x2: f64, y2: f64| (x2 - x1).hypot(y2 - y1);
            let (was, is) = (spread(*ax, *ay, *bx, *by), spread(*cx, *cy, *dx, *dy));
            if was < 1.0 {
                return;
            }
            let (mx, my) = ((ax + bx) / 2.0, (ay + by) / 2.0);
            let (nx, ny) = ((cx + dx) / 2.0, (cy + dy) / 2.0);
            zoom_gesture(frame);
            viewport.update(|v| {
                *v = v
                    .panned(nx - mx, ny - my)
                    .zoomed(is / was, nx - left, ny - top)
            });
        }
        ([(_, ax, ay)], _) => viewport.update(|v| *v = v.panned(x - ax, y - ay)),
        _ => {}
    }
}

/// Marks the node under the pointer (or focused), its edges and its neighbours; a
/// pointer over nothing clears the marks.
pub fn highlight(event: &web_sys::Event) {
    let Some(svg) = event
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|frame| frame.query_selector("svg").ok().flatten())
    else {
        return;
    };
    for marked in elements(svg.query_selector_all(".is-near")) {
        let _ = marked.class_list().remove_1("is-near");
    }
    let Some(node) = node_of(event) else {
        let _ = svg.class_list().remove_1("graph--focus");
        return;
    };
    let Some(entity_ref) = node.get_attribute("data-ref") else {
        return;
    };
    let _ = svg.class_list().add_1("graph--focus");
    let _ = node.class_list().add_1("is-near");
    let mut near = Vec::new();
    for edge in elements(svg.query_selector_all(".graph-edge")) {
        let (from, to) = (
            edge.get_attribute("data-from"),
            edge.get_attribute("data-to"),
        );
        let other = match (from, to) {
            (Some(f), Some(t)) if f == entity_ref => t,
            (Some(f), Some(t)) if t == entity_ref => f,
            _ => continue,
        };
        let _ = edge.class_list().add_1("is-near");
        near.push(other);
    }
    for n in elements(svg.query_selector_all(".graph-node")) {
        if n.get_attribute("data-ref")
            .is_some_and(|r| near.contains(&r))
        {
            let _ = n.class_list().add_1("is-near");
        }
    }
}

/// A click on a node: re-roots the graph in place (history kept), or with shift adds the
/// node as another start, or with ctrl/⌘ opens its entity page in a new tab. A click
/// that ends a drag does nothing.
pub fn on_click(event: &leptos::ev::MouseEvent, navigate: &dyn Fn(&str)) {
    if DRAG
        .with(|d| d.get())
        .is_some_and(|(_, _, dragged)| dragged)
    {
        DRAG.with(|d| d.set(None));
        event.prevent_default();
        return;
    }
    let Some(node) = node_of(event) else {
        return;
    };
    let on_corner = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|t| t.closest(".graph-node-open").ok().flatten())
        .is_some();
    let Some(page) = node.get_attribute("data-page") else {
        return;
    };
    let Some(entity_ref) = node.get_attribute("data-ref") else {
        return;
    };
    let href = if event.ctrl_key() || event.meta_key() {
        event.prevent_default();
        let _ = window().open_with_url_and_target(&page, "_blank");
        return;
    } else if on_corner {
        page
    } else if event.shift_key() {
        let search = window().location().search().unwrap_or_default();
        let query = search.trim_start_matches('?');
        let mut roots = super::super::values(query, "root");
        if !roots.iter().any(|r| r.eq_ignore_ascii_case(&entity_ref)) {
            roots.push(entity_ref);
        }
        super::super::with_param(query, "root", Some(&roots.join(",")))
    } else {
        let Some(href) = node
            .query_selector("a")
            .ok()
            .flatten()
            .and_then(|a| a.get_attribute("href"))
        else {
            return;
        };
        href
    };
    event.prevent_default();
    navigate(&href);
}

/// Saves the picture as an SVG file, or as a PNG drawn at twice its size.
pub fn export(frame: Frame, png: bool) {
    let Some(svg) = frame
        .get_untracked()
        .and_then(|f| f.query_selector("svg").ok().flatten())
    else {
        return;
    };
    let name = svg
        .query_selector(".graph-node--root")
        .ok()
        .flatten()
        .and_then(|n| n.get_attribute("data-ref"))
        .unwrap_or_else(|| "graph".to_owned())
        .replace([':', '/'], "-");
    let text = svg.outer_html();
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let parts = js_sys::Array::of1(&text.into());
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if !png {
        download(&url, &format!("graph-{name}.svg"));
        let _ = web_sys::Url::revoke_object_url(&url);
        return;
    }
    let (Some(width), Some(height)) = (
        svg.get_attribute("width")
            .and_then(|w| w.parse::<f64>().ok()),
        svg.get_attribute("height")
            .and_then(|h| h.parse::<f64>().ok()),
    ) else {
        return;
    };
    let Ok(image) = web_sys::HtmlImageElement::new() else {
        return;
    };
    let loaded = image.clone();
    let source = url.clone();
    let onload = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&source);
        let Some(canvas) = document()
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<web_sys::HtmlCanvasElement>().ok())
        else {
            return;
        };
        // Twice the size, capped so that a huge graph still fits in a canvas.
        let scale = (2.0f64).min(16_000.0 / width.max(height));
        canvas.set_width((width * scale) as u32);
        canvas.set_height((height * scale) as u32);
        let Some(context) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        context.set_fill_style_str("#ffffff");
        context.fill_rect(0.0, 0.0, width * scale, height * scale);
        let _ = context.scale(scale, scale);
        let _ = context.draw_image_with_html_image_element(&loaded, 0.0, 0.0);
        if let Ok(data) = canvas.to_data_url_with_type("image/png") {
            download(&data, &format!("graph-{name}.png"));
        }
    });
    image.set_onload(Some(onload.unchecked_ref()));
    image.set_src(&url);
}

/// Makes the browser save `href` as `file`.
fn download(href: &str, file: &str) {
    let Some(link) = document()
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    link.set_href(href);
    link.set_download(file);
    if let Some(body) = document().body() {
        let _ = body.append_child(&link);
        link.click();
        link.remove();
    }
}
