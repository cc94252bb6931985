//! Mermaid flowcharts (`flowchart LR` / `graph TD`) drawn as SVG on the server, so a
//! page shows its diagram with no JavaScript: nodes with their shapes and labels, edges
//! with arrow heads and labels, laid out in ranks (`model::graph::layout`). Other kinds
//! of diagram are not drawn; the page shows their source with a note. `click`, `style`
//! and `classDef` lines are ignored: nothing in a diagram runs or links anywhere.

use app::model::graph::layout::{layout, route_middle, route_path, Direction, Placed};

use app::model::docs::html::escape;

/// A flowchart read from its source.
#[derive(Debug, Default, PartialEq)]
pub struct Flowchart {
    /// Which way it runs.
    pub direction: Direction,
    /// Its nodes, in the order they first appear.
    pub nodes: Vec<Node>,
    /// Its edges.
    pub edges: Vec<Edge>,
}

/// A node.
#[derive(Debug, PartialEq)]
pub struct Node {
    /// Its id in the source.
    pub id: String,
    /// What it shows (its id when it has no label).
    pub label: String,
    /// Its outline.
    pub shape: Shape,
}

/// A node's outline, by the brackets around its label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `[text]`
    Box,
    /// `(text)`
    Round,
    /// `([text])`
    Stadium,
    /// `((text))`
    Circle,
    /// `{text}`
    Diamond,
    /// `{{text}}`
    Hexagon,
    /// `[(text)]`
    Database,
    /// `[[text]]`
    Subroutine,
}

/// An edge between two nodes (indexes into [`Flowchart::nodes`]).
#[derive(Debug, PartialEq)]
pub struct Edge {
    /// Where it starts.
    pub from: usize,
    /// Where it ends.
    pub to: usize,
    /// Its label.
    pub label: Option<String>,
    /// Whether it ends in an arrow head.
    pub arrow: bool,
    /// Dotted (`-.->`).
    pub dotted: bool,
    /// Thick (`==>`).
    pub thick: bool,
}

/// Brackets of each shape, longest first so `((` is not read as `(`.
const SHAPES: [(&str, &str, Shape); 9] = [
    ("([", "])", Shape::Stadium),
    ("((", "))", Shape::Circle),
    ("{{", "}}", Shape::Hexagon),
    ("[(", ")]", Shape::Database),
    ("[[", "]]", Shape::Subroutine),
    ("[", "]", Shape::Box),
    ("(", ")", Shape::Round),
    ("{", "}", Shape::Diamond),
    (">", "]", Shape::Box),
];

/// Statements that style or script a diagram: ignored.
const IGNORED: [&str; 7] = [
    "classDef ",
    "class ",
    "style ",
    "linkStyle ",
    "click ",
    "subgraph",
    "end",
];

/// Reads a flowchart; `None` when `source` is another kind of diagram (or none).
pub fn parse(source: &str) -> Option<Flowchart> {
    let mut lines = source
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("%%"));
    let header = lines.next()?;
    let mut words = header.split_whitespace();
    if !matches!(words.next(), Some("flowchart" | "graph")) {
        return None;
    }
    let mut chart = Flowchart {
        direction: match words.next().map(|d| d.trim_end_matches(';')) {
            Some("LR") => Direction::Right,
            Some("RL") => Direction::Left,
            Some("BT") => Direction::Up,
            _ => Direction::Down,
        },
        ..Flowchart::default()
    };
    for line in lines {
        for statement in line.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            if IGNORED.iter().any(|word| statement.starts_with(word))
                || statement.starts_with("direction ")
            {
                continue;
            }
            chart.statement(statement);
        }
    }
    Some(chart)
}

impl Flowchart {
    /// A chain of nodes and edges: `A[Label] -->|text| B & C --> D`.
    fn statement(&mut self, mut rest: &str) {
        let mut previous: Vec<usize> = Vec::new();
        let mut pending: Option<(Option<String>, bool, bool, bool)> = None;
        loop {
            let (group, after) = self.node_group(rest);
            if group.is_empty() {
                return;
            }
            if let Some((label, arrow, dotted, thick)) = pending.take() {
                for &from in &previous {
                    for &to in &group {
                        self.edges.push(Edge {
                            from,
                            to,
                            label: label.clone(),
                            arrow,
                            dotted,
                            thick,
                        });
                    }
                }
            }
            previous = group;
            match link(after.trim_start()) {
                Some((edge, after)) => {
                    pending = Some(edge);
                    rest = after.trim_start();
                }
                None => return,
            }
        }
    }

    /// `A & B[Label]`: the nodes' indexes and what follows them.
    fn node_group<'a>(&mut self, mut rest: &'a str) -> (Vec<usize>, &'a str) {
        let mut group = Vec::new();
        loop {
            let Some((node, after)) = self.node(rest.trim_start()) else {
                return (group, rest);
            };
            group.push(node);
            match after.trim_start().strip_prefix('&') {
                Some(more) => rest = more,
                None => return (group, after),
            }
        }
    }

    /// One node (declared or referred to) and what follows it.
    fn node<'a>(&mut self, text: &'a str) -> Option<(usize, &'a str)> {
        let id_len = text
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        if id_len == 0 {
            return None;
        }
        let id = &text[..id_len];
        let mut rest = &text[id_len..];
        let mut declared = None;
        for (open, close, shape) in SHAPES {
            if let Some(inner) = rest.strip_prefix(open) {
                if let Some(end) = inner.find(close) {
                    let label = inner[..end].trim().trim_matches('"').to_owned();
                    declared = Some((label, shape));
                    rest = &inner[end + close.len()..];
                }
                break;
            }
        }
        let index = match self.nodes.iter().position(|n| n.id == id) {
            Some(index) => index,
            None => {
                self.nodes.push(Node {
                    id: id.to_owned(),
                    label: id.to_owned(),
                    shape: Shape::Box,
                });
                self.nodes.len() - 1
            }
        };
        if let Some((label, shape)) = declared {
            self.nodes[index].label = label;
            self.nodes[index].shape = shape;
        }
        Some((index, rest))
    }
}

/// An edge at the start of `text` (`-->`, `---`, `-.->`, `==>`, `-- text -->`, each
/// with an optional `|label|`): (label, arrow, dotted, thick) and what follows.
#[allow(clippy::type_complexity)]
fn link(text: &str) -> Option<((Option<String>, bool, bool, bool), &str)> {
    let op_len = text
        .find(|c: char| !matches!(c, '-' | '.' | '=' | '>' | '<'))
        .unwrap_or(text.len());
    let op = &text[..op_len];
    if op.len() < 2 || !(op.starts_with('-') || op.starts_with('=') || op.starts_with('<')) {
        return None;
    }
    let mut rest = &text[op_len..];
    let mut label = None;
    let mut full = op.to_owned();
    // `-- text -->`: the label sits inside the edge.
    if matches!(op, "--" | "==" | "-.") && rest.starts_with(' ') {
        let closers = ["-->", "---", "==>", "===", ".->", "-.-"];
        let (at, closer) = closers
            .iter()
            .filter_map(|c| rest.find(c).map(|at| (at, *c)))
            .min_by_key(|(at, _)| *at)?;
        label = Some(rest[..at].trim().to_owned());
        full.push_str(closer);
        rest = &rest[at + closer.len()..];
        let more = rest
            .find(|c: char| !matches!(c, '-' | '.' | '=' | '>'))
            .unwrap_or(rest.len());
        full.push_str(&rest[..more]);
        rest = &rest[more..];
    }
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix('|').and_then(|r| r.split_once('|')) {
        Some((text, after)) => {
            label = Some(text.trim().trim_matches('"').to_owned());
            after
        }
        None => rest,
    };
    let edge = (
        label.filter(|l| !l.is_empty()),
        full.ends_with('>'),
        full.contains('.'),
        full.contains('='),
    );
    Some((edge, rest))
}

/// Where diagram `n` goes in a page until the page is sanitised (which would drop SVG).
pub fn placeholder(n: usize) -> String {
    format!("<div data-diagram=\"{n}\"></div>")
}

/// Sanitised `html` with its placeholders replaced by `diagrams` (drawn here, from
/// escaped text, so safe), each in Material's `div.mermaid`.
pub fn insert(html: &str, diagrams: &[String]) -> String {
    let mut html = html.to_owned();
    for (n, svg) in diagrams.iter().enumerate() {
        html = html.replacen(
            &placeholder(n),
            &format!("<div class=\"mermaid\">{svg}</div>"),
            1,
        );
    }
    html
}

/// Roughly how wide `text` is at the diagram's font size.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * 7.4
}

/// The flowchart as an SVG element.
pub fn svg(chart: &Flowchart) -> String {
    let sizes: Vec<(f64, f64)> = chart
        .nodes
        .iter()
        .map(|node| {
            let width = (text_width(&node.label) + 28.0).max(56.0);
            match node.shape {
                Shape::Diamond => (width + 30.0, 56.0),
                Shape::Circle => (width.max(56.0), width.max(56.0)),
                Shape::Hexagon => (width + 20.0, 40.0),
                _ => (width, 40.0),
            }
        })
        .collect();
    let pairs: Vec<(usize, usize)> = chart.edges.iter().map(|e| (e.from, e.to)).collect();
    // Ranks far enough apart for the edges' labels to sit between them.
    let widest_label = chart
        .edges
        .iter()
        .filter_map(|e| e.label.as_deref())
        .map(text_width)
        .fold(0.0, f64::max);
    let rank_gap = match chart.direction {
        Direction::Right | Direction::Left => (widest_label + 40.0).max(56.0),
        Direction::Down | Direction::Up => 56.0,
    };
    let drawn = layout(&sizes, &pairs, &[], &[], chart.direction, rank_gap);
    let (places, (width, height)) = (&drawn.places, drawn.size);
    let margin = 8.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"flowchart\" role=\"img\" \
         aria-label=\"Flowchart\" viewBox=\"{} {} {:.0} {:.0}\" width=\"{:.0}\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" \
         markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" class=\"flowchart-arrow\"/></marker></defs>",
        -margin,
        -margin,
        width + 2.0 * margin,
        height + 2.0 * margin,
        width + 2.0 * margin
    );
    for (edge, route) in chart.edges.iter().zip(&drawn.routes) {
        if route.is_empty() {
            continue;
        }
        let class = match (edge.dotted, edge.thick) {
            (true, _) => "flowchart-edge flowchart-edge--dotted",
            (_, true) => "flowchart-edge flowchart-edge--thick",
            _ => "flowchart-edge",
        };
        let marker = if edge.arrow {
            " marker-end=\"url(#arrow)\""
        } else {
            ""
        };
        out.push_str(&format!(
            "<path class=\"{class}\" d=\"{}\"{marker}/>",
            route_path(route)
        ));
        if let Some(label) = &edge.label {
            let (mx, my) = route_middle(route);
            let w = text_width(label) + 8.0;
            out.push_str(&format!(
                "<rect class=\"flowchart-edge-label\" x=\"{:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"18\"/>\
                 <text x=\"{mx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                mx - w / 2.0,
                my - 9.0,
                my + 4.0,
                escape(label)
            ));
        }
    }
    for (node, place) in chart.nodes.iter().zip(places) {
        out.push_str(&shape(node.shape, place));
        out.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            place.x,
            place.y + 5.0,
            escape(&node.label)
        ));
    }
    out.push_str("</svg>");
    out
}

/// The outline of a node.
fn shape(shape: Shape, p: &Placed) -> String {
    let (x, y, w, h) = (p.x - p.width / 2.0, p.y - p.height / 2.0, p.width, p.height);
    let rect = |rx: f64| {
        format!("<rect class=\"flowchart-node\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"{rx:.1}\"/>")
    };
    let polygon = |points: &[(f64, f64)]| {
        let points: Vec<String> = points
            .iter()
            .map(|(a, b)| format!("{a:.1},{b:.1}"))
            .collect();
        format!(
            "<polygon class=\"flowchart-node\" points=\"{}\"/>",
            points.join(" ")
        )
    };
    match shape {
        Shape::Box => rect(3.0),
        Shape::Round => rect(12.0),
        Shape::Stadium | Shape::Database => rect(h / 2.0),
        Shape::Subroutine => format!(
            "{}<path class=\"flowchart-edge\" d=\"M{:.1} {y:.1}v{h:.1}M{:.1} {y:.1}v{h:.1}\"/>",
            rect(0.0),
            x + 8.0,
            x + w - 8.0
        ),
        Shape::Circle => format!(
            "<ellipse class=\"flowchart-node\" cx=\"{:.1}\" cy=\"{:.1}\" rx=\"{:.1}\" ry=\"{:.1}\"/>",
            p.x,
            p.y,
            w / 2.0,
            h / 2.0
        ),
        Shape::Diamond => polygon(&[(p.x, y), (x + w, p.y), (p.x, y + h), (x, p.y)]),
        Shape::Hexagon => polygon(&[
            (x + 12.0, y),
            (x + w - 12.0, y),
            (x + w, p.y),
            (x + w - 12.0, y + h),
            (x + 12.0, y + h),
            (x, p.y),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flowcharts_are_read_with_shapes_edges_and_labels() {
        let chart = parse(
            "flowchart LR\n  %% a comment\n  A[Checkout] -->|authorise| B(Gateway)\n  B -.-> C{{Bus}} & D[(DB)]\n  \
             B -- charge --> E((PSP)); E ==> A\n  click A \"javascript:alert(1)\"\n  style A fill:#f00\n",
        )
        .unwrap();
        assert_eq!(chart.direction, Direction::Right);
        let labels: Vec<(&str, Shape)> = chart
            .nodes
            .iter()
            .map(|n| (n.label.as_str(), n.shape))
            .collect();
        assert_eq!(
            labels,
            [
                ("Checkout", Shape::Box),
                ("Gateway", Shape::Round),
                ("Bus", Shape::Hexagon),
                ("DB", Shape::Database),
                ("PSP", Shape::Circle)
            ]
        );
        let edges: Vec<(usize, usize, Option<&str>, bool, bool)> = chart
            .edges
            .iter()
            .map(|e| (e.from, e.to, e.label.as_deref(), e.dotted, e.thick))
            .collect();
        assert_eq!(
            edges,
            [
                (0, 1, Some("authorise"), false, false),
                (1, 2, None, true, false),
                (1, 3, None, true, false),
                (1, 4, Some("charge"), false, false),
                (4, 0, None, false, true)
            ]
        );
        assert!(chart.edges.iter().all(|e| e.arrow));
        assert!(!parse("graph TD\nA --- B").unwrap().edges[0].arrow);
    }

    #[test]
    fn other_diagrams_are_not_flowcharts() {
        assert!(parse("sequenceDiagram\n  A->>B: hi").is_none());
        assert!(parse("").is_none());
    }

    #[test]
    fn the_drawing_escapes_every_label() {
        let chart =
            parse("graph TD\n  A[\"<script>alert(1)</script>\"] -->|<b>x</b>| B[a & b]").unwrap();
        let svg = svg(&chart);
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{svg}"
        );
        assert!(svg.contains("a &amp; b"), "{svg}");
        assert_eq!(svg.matches("<text").count(), 3);
    }
}
