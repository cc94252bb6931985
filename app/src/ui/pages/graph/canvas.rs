//! The graph drawn, in a frame that pans and zooms once the page is hydrated: buttons,
//! keys (`+` `-` `0` `1`, arrows) and ctrl/⌘ + wheel or a trackpad pinch (a plain wheel
//! scrolls the page, as it should), or two fingers pinching on a touch screen (one finger
//! still scrolls the page up and down); dragging pans. Hovering or focusing a node
//! highlights its edges and neighbours; arrows move the focus to the nearest node that
//! way. A click re-roots the graph (the browser's history keeps the way back),
//! shift-click adds the node as another start (expands it), ctrl/⌘-click or the corner
//! arrow opens its entity page. The picture exports as SVG and PNG.

use leptos::prelude::*;

use super::{param, with_param};
use crate::model::graph::{
    draw::{draw, DrawOptions},
    layout::Direction,
    subgraph::{Subgraph, MAX_NODES},
    svg::svg,
};

#[cfg(feature = "hydrate")]
mod client;

/// Below this scale the edges' labels, the kind lines and icons are too small to read:
/// they are left out, which keeps panning and zooming a large graph smooth.
const FAR: f64 = 0.5;
/// Below this scale no text can be read at all.
const FARTHER: f64 = 0.25;
/// From this many entities, text is not drawn while a zoom gesture runs.
const LARGE: usize = 500;

/// Which part of the picture the frame shows: the picture moved by (`x`, `y`) pixels and
/// scaled by `scale`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Viewport {
    x: f64,
    y: f64,
    scale: f64,
}

// The server only draws the first view; the browser moves it.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
impl Viewport {
    const IDENTITY: Viewport = Viewport {
        x: 0.0,
        y: 0.0,
        scale: 1.0,
    };
    const MIN_SCALE: f64 = 0.05;
    const MAX_SCALE: f64 = 4.0;

    /// The whole picture of `size` centred in a frame of `frame`, never enlarged.
    fn fit(size: (f64, f64), frame: (f64, f64)) -> Self {
        let scale = (frame.0 / size.0)
            .min(frame.1 / size.1)
            .clamp(Self::MIN_SCALE, 1.0);
        Viewport {
            x: ((frame.0 - size.0 * scale) / 2.0).max(0.0),
            y: ((frame.1 - size.1 * scale) / 2.0).max(0.0),
            scale,
        }
    }

    /// Zoomed by `factor` keeping the point (`cx`, `cy`) of the frame where it is.
    fn zoomed(self, factor: f64, cx: f64, cy: f64) -> Self {
        let scale = (self.scale * factor).clamp(Self::MIN_SCALE, Self::MAX_SCALE);
        let f = scale / self.scale;
        Viewport {
            x: cx - (cx - self.x) * f,
            y: cy - (cy - self.y) * f,
            scale,
        }
    }

    /// Moved as little as needed for a picture of `size` to lie inside a frame of
    /// `frame` along each axis it fits in at this scale.
    fn kept_inside(self, size: (f64, f64), frame: (f64, f64)) -> Self {
        let keep = |at: f64, length: f64, room: f64| {
            let length = length * self.scale;
            if length <= room {
                at.clamp(0.0, room - length)
            } else {
                at
            }
        };
        Viewport {
            x: keep(self.x, size.0, frame.0),
            y: keep(self.y, size.1, frame.1),
            ..self
        }
    }

    /// Moved by (`dx`, `dy`) pixels.
    fn panned(self, dx: f64, dy: f64) -> Self {
        Viewport {
            x: self.x + dx,
            y: self.y + dy,
            ..self
        }
    }

    /// As a CSS transform.
    fn transform(self) -> String {
        format!(
            "translate({:.1}px, {:.1}px) scale({:.4})",
            self.x, self.y, self.scale
        )
    }
}

/// The graph drawn, with what it holds and what was left out.
#[component]
pub(super) fn Drawn(
    mut graph: Subgraph,
    query: String,
    marked: std::collections::HashSet<String>,
) -> impl IntoView {
    let direction = match param(&query, "layout").as_deref() {
        Some("down") => Direction::Down,
        _ => Direction::Right,
    };
    let options = DrawOptions {
        direction,
        merge: param(&query, "pairs").is_none(),
        boxes: param(&query, "group").as_deref() == Some("system"),
    };
    let missing = graph.nodes.iter().filter(|n| n.missing).count();
    let hide_missing = param(&query, "missing").as_deref() == Some("hide");
    if hide_missing {
        let gone: std::collections::HashSet<String> = graph
            .nodes
            .iter()
            .filter(|n| n.missing)
            .map(|n| n.entity_ref.clone())
            .collect();
        graph.nodes.retain(|n| !n.missing);
        graph
            .edges
            .retain(|e| !gone.contains(&e.source) && !gone.contains(&e.target));
    }
    // Drawn again in the browser (re-rooted, filtered), the nodes it shares with the
    // drawing before keep their order where the layout allows.
    #[cfg(feature = "hydrate")]
    let earlier = client::earlier();
    #[cfg(not(feature = "hydrate"))]
    let earlier = crate::model::graph::draw::Earlier::new();
    let drawing = draw(&graph, options, &earlier);
    let reroot = |entity_ref: &str| with_param(&query, "root", Some(entity_ref));
    let picture = svg(&graph, &drawing, Some(&reroot), &marked);
    let size = drawing.size;
    let large = graph.nodes.len() >= LARGE;
    let summary = format!(
        "{} entities, {} relations{}.",
        graph.nodes.len(),
        drawing.edges.len(),
        match (missing, hide_missing) {
            (0, _) => String::new(),
            (n, false) => format!(" ({n} named but not in the catalog, dashed)"),
            (n, true) => format!(" ({n} named but not in the catalog, hidden)"),
        },
    );
    let viewport = RwSignal::new(Viewport::IDENTITY);
    let live = RwSignal::new(false);
    let frame = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    client::start(
        frame,
        viewport,
        live,
        size,
        drawing.places_by_ref(&graph),
        param(&query, "root"),
    );
    #[cfg(feature = "hydrate")]
    let navigate = leptos_router::hooks::use_navigate();
    let zoom = move |factor: f64| {
        let _ = factor;
        #[cfg(feature = "hydrate")]
        client::zoom_centre(frame, viewport, factor);
    };
    let fit = move || {
        #[cfg(feature = "hydrate")]
        client::fit(frame, viewport, size);
    };
    // A finger lifted, or taken over by the browser to scroll.
    let pointer_end = move |_event: leptos::ev::PointerEvent| {
        #[cfg(feature = "hydrate")]
        client::on_pointer_end(&_event);
    };
    let export = move |png: bool| {
        let _ = png;
        #[cfg(feature = "hydrate")]
        client::export(frame, png);
    };
    view! {
        <p class="muted" data-testid="graph-summary">{summary}</p>
        {graph.truncated.then(|| view! {
            <p class="notice" data-testid="graph-truncated">
                {format!(
                    "More than {MAX_NODES} entities are this close: the nearest are shown. Lower the depth, or follow fewer relations or kinds, to see the rest; or shift-click an entity at the edge to add it as a start and expand it step by step."
                )}
            </p>
        })}
        <div class="graph-toolbar" role="toolbar" aria-label="Graph view" class:graph-toolbar--live=move || live.get()>
            <button type="button" on:click=move |_| zoom(1.25) aria-label="Zoom in" data-testid="graph-zoom-in">"+"</button>
            <button type="button" on:click=move |_| zoom(0.8) aria-label="Zoom out" data-testid="graph-zoom-out">"−"</button>
            <button type="button" on:click=move |_| fit() data-testid="graph-fit">"Fit"</button>
            <button type="button" on:click=move |_| viewport.set(Viewport::IDENTITY) data-testid="graph-actual-size">"1:1"</button>
            <button type="button" on:click=move |_| export(false) data-testid="graph-export-svg">"Export SVG"</button>
            <button type="button" on:click=move |_| export(true) data-testid="graph-export-png">"Export PNG"</button>
        </div>
        <div
            class="graph-canvas"
            class:graph-canvas--live=move || live.get()
            class:graph-canvas--far=move || viewport.get().scale < FAR
            class:graph-canvas--farther=move || viewport.get().scale < FARTHER
            class:graph-canvas--large=large
            style=format!("--graph-height: {:.0}px", size.1 + 2.0)
            data-testid="graph"
            tabindex="0"
            aria-label="Graph: + and - zoom, 0 fits, arrows pan or move between entities"
            node_ref=frame
            on:wheel=move |_event: leptos::ev::WheelEvent| {
                #[cfg(feature = "hydrate")]
                client::on_wheel(&_event, frame, viewport);
            }
            on:keydown=move |_event: leptos::ev::KeyboardEvent| {
                #[cfg(feature = "hydrate")]
                client::on_key(&_event, frame, viewport, size);
            }
            on:pointerdown=move |_event: leptos::ev::PointerEvent| {
                #[cfg(feature = "hydrate")]
                client::on_pointer_down(&_event);
            }
            on:pointermove=move |_event: leptos::ev::PointerEvent| {
                #[cfg(feature = "hydrate")]
                client::on_pointer_move(&_event, frame, viewport);
            }
            on:pointerup=pointer_end
            on:pointercancel=pointer_end
            on:pointerover=move |_event: leptos::ev::PointerEvent| {
                #[cfg(feature = "hydrate")]
                client::highlight(&_event);
            }
            on:focusin=move |_event: leptos::ev::FocusEvent| {
                #[cfg(feature = "hydrate")]
                client::highlight(&_event);
            }
            on:click=move |_event: leptos::ev::MouseEvent| {
                #[cfg(feature = "hydrate")]
                client::on_click(&_event, &|href| navigate(href, Default::default()));
            }
        >
            <div class="graph-stage" style:transform=move || viewport.get().transform() inner_html=picture></div>
        </div>
        <Legend />
    }
}

/// What the marks of the picture mean, and how to move around it.
#[component]
fn Legend() -> impl IntoView {
    view! {
        <details class="graph-legend" data-testid="graph-legend">
            <summary>"Legend and keys"</summary>
            <ul>
                <li><span class="graph-key graph-key--root"></span>" where the graph starts (thick border)"</li>
                <li><span class="graph-key"></span>" an entity: its kind's icon, kind · owner, title"</li>
                <li><span class="graph-key graph-key--missing"></span>" named by a relation but not in the catalog"</li>
                <li><span class="graph-key graph-key--impact"></span>" breaks or degrades (impact analysis)"</li>
                <li><span class="graph-key graph-key--cluster"></span>" a system round its parts"</li>
                <li>"An arrow runs from an entity to what its relation names: " <code>"dependsOn"</code>", "<code>"providesApi"</code>"…; a pair is one arrow unless both are asked for."</li>
                <li>"Click an entity to draw the graph around it (Back returns); shift-click to add it as a start; ctrl/⌘-click or ↗ to open its page."</li>
                <li>"Zoom with + and −, ctrl/⌘ + wheel or a pinch; 0 fits, 1 shows actual size; drag or arrows pan; with an entity focused, arrows move to the nearest one that way."</li>
            </ul>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zooming_keeps_the_point_under_the_pointer() {
        let view = Viewport {
            x: 10.0,
            y: 20.0,
            scale: 1.0,
        };
        let zoomed = view.zoomed(2.0, 110.0, 220.0);
        // The picture's point under (110, 220) was (100, 200); it still is.
        assert_eq!(
            (
                (110.0 - zoomed.x) / zoomed.scale,
                (220.0 - zoomed.y) / zoomed.scale
            ),
            (100.0, 200.0)
        );
        assert_eq!(view.zoomed(1000.0, 0.0, 0.0).scale, Viewport::MAX_SCALE);
        assert_eq!(view.panned(5.0, -5.0).x, 15.0);
    }

    #[test]
    fn fitting_shrinks_a_large_picture_and_centres_a_small_one() {
        let fitted = Viewport::fit((2000.0, 500.0), (1000.0, 500.0));
        assert_eq!(fitted.scale, 0.5);
        assert_eq!((fitted.x, fitted.y), (0.0, 125.0));
        let small = Viewport::fit((200.0, 100.0), (1000.0, 500.0));
        assert_eq!(small.scale, 1.0);
        assert_eq!((small.x, small.y), (400.0, 200.0));
        // Kept where it is when it can be; moved in when it fits but lies partly out.
        let out = Viewport {
            x: -50.0,
            y: 450.0,
            scale: 1.0,
        };
        let kept = out.kept_inside((200.0, 100.0), (1000.0, 500.0));
        assert_eq!((kept.x, kept.y), (0.0, 400.0));
        let wide = out.kept_inside((2000.0, 100.0), (1000.0, 500.0));
        assert_eq!(wide.x, -50.0, "too wide to fit: left where it is");
    }
}
