//! A layered ("Sugiyama") layout, as dagre draws: edges that close a cycle are turned
//! round ([`rank`]), each node gets a rank, long edges get a dummy node in each rank they
//! cross, the nodes of each rank are ordered to cross few edges ([`order`]), placed
//! across their rank close to their neighbours ([`position`]), and ranks are laid out
//! top to bottom or left to right. Edges come out as polylines through their dummy
//! nodes; clusters (a system's parts, say) as boxes around their nodes. The same input
//! always gives the same picture, on the server and in the browser.

mod order;
mod position;
mod rank;
#[cfg(test)]
mod tests;

use position::CLUSTER_PAD;

/// Which way edges run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    /// Top to bottom.
    #[default]
    Down,
    /// Bottom to top.
    Up,
    /// Left to right.
    Right,
    /// Right to left.
    Left,
}

/// Where a node is: its centre, width and height.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Placed {
    /// Centre, x.
    pub x: f64,
    /// Centre, y.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Placed {
    /// Where the line from the centre towards `(tx, ty)` leaves the box.
    pub fn border_towards(self, tx: f64, ty: f64) -> (f64, f64) {
        let (dx, dy) = (tx - self.x, ty - self.y);
        if dx == 0.0 && dy == 0.0 {
            return (self.x, self.y);
        }
        let sx = if dx == 0.0 {
            f64::INFINITY
        } else {
            (self.width / 2.0) / dx.abs()
        };
        let sy = if dy == 0.0 {
            f64::INFINITY
        } else {
            (self.height / 2.0) / dy.abs()
        };
        let s = sx.min(sy);
        (self.x + dx * s, self.y + dy * s)
    }
}

/// The result: where each node is, each edge's route, each cluster's box and the size of
/// the whole, which starts at (0, 0).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Each node's box, in the order given.
    pub places: Vec<Placed>,
    /// Each edge's route, from the border of its source to the border of its target
    /// (empty for an edge from a node to itself).
    pub routes: Vec<Vec<(f64, f64)>>,
    /// Each cluster's box (`None` for a cluster with no nodes).
    pub clusters: Vec<Option<Placed>>,
    /// Width and height.
    pub size: (f64, f64),
}

/// What the layout works on: the nodes given, then a dummy node for each rank a long
/// edge passes through. Sizes are across and along the ranks.
struct Layered {
    /// How many nodes were given (the rest are dummies).
    real: usize,
    across: Vec<f64>,
    along: Vec<f64>,
    rank: Vec<usize>,
    cluster: Vec<Option<usize>>,
    cluster_count: usize,
    /// Where each given node was across the ranks in an earlier drawing, if anywhere.
    hint: Vec<Option<f64>>,
    /// For the border nodes that mark a cluster's sides in each rank it spans: -1 on the
    /// left, 1 on the right (0 for every other node).
    side: Vec<i8>,
    /// Neighbours in the rank above and below.
    up: Vec<Vec<usize>>,
    down: Vec<Vec<usize>>,
}

/// Places nodes of the given `sizes` (width, height) joined by `edges` (indexes), each in
/// the cluster `clusters` names (an empty slice: no clusters), running in `direction`,
/// with `rank_gap` between ranks (room for edge labels). `hints` (an empty slice: none)
/// say where nodes were across the ranks (x running down, y running right) in an earlier
/// drawing, so that drawing again keeps them in their order where it can.
pub fn layout(
    sizes: &[(f64, f64)],
    edges: &[(usize, usize)],
    clusters: &[Option<usize>],
    hints: &[Option<f64>],
    direction: Direction,
    rank_gap: f64,
) -> Layout {
    let n = sizes.len();
    let sideways = matches!(direction, Direction::Right | Direction::Left);
    let (graph, chains, turned) = layered(sizes, edges, clusters, hints, sideways);
    let rank_count = graph.rank.iter().map(|&r| r + 1).max().unwrap_or(0);
    let layers = order::order(&graph, rank_count);
    let x = position::across(&graph, &layers);
    // Along: each rank as deep as its deepest box.
    let mut rank_at = Vec::with_capacity(rank_count);
    // Room for the clusters' boxes round the edge, if there are any.
    let margin = if graph.cluster_count > 0 {
        CLUSTER_PAD
    } else {
        0.0
    };
    let mut y = margin;
    for layer in &layers {
        let depth = layer.iter().map(|&v| graph.along[v]).fold(0.0, f64::max);
        rank_at.push(y + depth / 2.0);
        y += depth + rank_gap;
    }
    let centre = |v: usize| (x[v] + margin, rank_at[graph.rank[v]]);
    let placed: Vec<Placed> = (0..graph.rank.len())
        .map(|v| {
            let (x, y) = centre(v);
            Placed {
                x,
                y,
                width: graph.across[v],
                height: graph.along[v],
            }
        })
        .collect();
    let boxes: Vec<Option<Placed>> = (0..graph.cluster_count)
        .map(|c| {
            let sides = (graph.real..graph.rank.len())
                .filter(|&v| graph.cluster[v] == Some(c) && graph.side[v] != 0);
            let (mut left, mut right) = (f64::INFINITY, f64::NEG_INFINITY);
            let (mut top, mut bottom) = (f64::INFINITY, f64::NEG_INFINITY);
            for v in sides {
                left = left.min(placed[v].x);
                right = right.max(placed[v].x);
                let rank = &layers[graph.rank[v]];
                let depth = rank
                    .iter()
                    .filter(|&&u| graph.cluster[u] == Some(c))
                    .map(|&u| graph.along[u])
                    .fold(0.0, f64::max);
                top = top.min(placed[v].y - depth / 2.0 - CLUSTER_PAD);
                bottom = bottom.max(placed[v].y + depth / 2.0 + CLUSTER_PAD);
            }
            left.is_finite().then_some(Placed {
                x: (left + right) / 2.0,
                y: (top + bottom) / 2.0,
                width: right - left,
                height: bottom - top,
            })
        })
        .collect();
    let routes: Vec<Vec<(f64, f64)>> = chains
        .iter()
        .zip(&turned)
        .map(|(chain, &turned)| {
            let mut points: Vec<(f64, f64)> = chain.iter().map(|&v| centre(v)).collect();
            if let [_, second, ..] = points[..] {
                points[0] = placed[chain[0]].border_towards(second.0, second.1);
                let last = points.len() - 1;
                let before = points[last - 1];
                points[last] = placed[chain[last]].border_towards(before.0, before.1);
            }
            if turned {
                points.reverse();
            }
            points
        })
        .collect();
    let width = placed
        .iter()
        .map(|p| p.x + p.width / 2.0 + margin)
        .chain(boxes.iter().flatten().map(|b| b.x + b.width / 2.0))
        .fold(0.0, f64::max);
    let height = (y - rank_gap + margin).max(0.0);
    let turn = Turn { direction, height };
    Layout {
        places: placed[..n].iter().map(|&p| turn.place(p)).collect(),
        routes: routes
            .into_iter()
            .map(|route| route.into_iter().map(|(x, y)| turn.point(x, y)).collect())
            .collect(),
        clusters: boxes
            .into_iter()
            .map(|b| b.map(|b| turn.place(b)))
            .collect(),
        size: if sideways {
            (height, width)
        } else {
            (width, height)
        },
    }
}

/// The graph to lay out, ranked, long edges cut into one step per rank: with each edge's
/// chain of nodes (top to bottom) and whether it was turned round to break a cycle.
fn layered(
    sizes: &[(f64, f64)],
    edges: &[(usize, usize)],
    clusters: &[Option<usize>],
    hints: &[Option<f64>],
    sideways: bool,
) -> (Layered, Vec<Vec<usize>>, Vec<bool>) {
    let n = sizes.len();
    let turned = rank::reversed(n, edges);
    let downward: Vec<(usize, usize)> = edges
        .iter()
        .zip(&turned)
        .filter(|((from, to), _)| from != to)
        .map(|(&(from, to), &turned)| if turned { (to, from) } else { (from, to) })
        .collect();
    let ranks = rank::ranks(n, &downward);
    let cluster_of = |v: usize| clusters.get(v).copied().flatten();
    let mut graph = Layered {
        real: n,
        across: sizes
            .iter()
            .map(|&(w, h)| if sideways { h } else { w })
            .collect(),
        along: sizes
            .iter()
            .map(|&(w, h)| if sideways { w } else { h })
            .collect(),
        rank: ranks,
        cluster: (0..n).map(cluster_of).collect(),
        cluster_count: clusters.iter().flatten().map(|&c| c + 1).max().unwrap_or(0),
        hint: hints.to_vec(),
        side: vec![0; n],
        up: vec![Vec::new(); n],
        down: vec![Vec::new(); n],
    };
    // Each edge as the chain of nodes it passes, top to bottom.
    let chains: Vec<Vec<usize>> = edges
        .iter()
        .zip(&turned)
        .map(|(&(from, to), &turned)| {
            if from == to {
                return Vec::new();
            }
            let (top, bottom) = if turned { (to, from) } else { (from, to) };
            let cluster = cluster_of(top).filter(|&c| cluster_of(bottom) == Some(c));
            let mut chain = vec![top];
            for rank in graph.rank[top] + 1..graph.rank[bottom] {
                let dummy = graph.rank.len();
                graph.add(rank, cluster, 0);
                chain.push(dummy);
            }
            chain.push(bottom);
            for pair in chain.windows(2) {
                graph.down[pair[0]].push(pair[1]);
                graph.up[pair[1]].push(pair[0]);
            }
            chain
        })
        .collect();
    // Each cluster's sides, in each rank it spans.
    let mut spans: Vec<Option<(usize, usize)>> = vec![None; graph.cluster_count];
    for (v, cluster) in graph.cluster.iter().enumerate() {
        if let Some(c) = *cluster {
            let r = graph.rank[v];
            spans[c] = Some(spans[c].map_or((r, r), |(top, bottom)| (top.min(r), bottom.max(r))));
        }
    }
    for (c, span) in spans.into_iter().enumerate() {
        let Some((top, bottom)) = span else { continue };
        for rank in top..=bottom {
            graph.add(rank, Some(c), -1);
            graph.add(rank, Some(c), 1);
        }
    }
    (graph, chains, turned)
}

impl Layered {
    /// Adds a node of no size (an edge's dummy, a cluster's side).
    fn add(&mut self, rank: usize, cluster: Option<usize>, side: i8) {
        self.across.push(0.0);
        self.along.push(0.0);
        self.rank.push(rank);
        self.cluster.push(cluster);
        self.side.push(side);
        self.up.push(Vec::new());
        self.down.push(Vec::new());
    }
}

/// From ranks running down to the direction asked for.
struct Turn {
    direction: Direction,
    /// The drawing's extent along the ranks.
    height: f64,
}

impl Turn {
    fn point(&self, x: f64, y: f64) -> (f64, f64) {
        match self.direction {
            Direction::Down => (x, y),
            Direction::Up => (x, self.height - y),
            Direction::Right => (y, x),
            Direction::Left => (self.height - y, x),
        }
    }

    fn place(&self, p: Placed) -> Placed {
        let (x, y) = self.point(p.x, p.y);
        let (width, height) = match self.direction {
            Direction::Down | Direction::Up => (p.width, p.height),
            Direction::Right | Direction::Left => (p.height, p.width),
        };
        Placed {
            x,
            y,
            width,
            height,
        }
    }
}

/// A route as an SVG path: straight from its ends, rounded at each bend.
pub fn route_path(route: &[(f64, f64)]) -> String {
    let mid = |a: (f64, f64), b: (f64, f64)| ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0);
    let (Some(&(x, y)), Some(&(lx, ly))) = (route.first(), route.last()) else {
        return String::new();
    };
    let mut path = format!("M{x:.1} {y:.1}");
    if route.len() > 2 {
        let (sx, sy) = mid(route[0], route[1]);
        path.push_str(&format!("L{sx:.1} {sy:.1}"));
        for step in route.windows(3) {
            let (ex, ey) = mid(step[1], step[2]);
            path.push_str(&format!(
                "Q{:.1} {:.1} {ex:.1} {ey:.1}",
                step[1].0, step[1].1
            ));
        }
    }
    path.push_str(&format!("L{lx:.1} {ly:.1}"));
    path
}

/// Where a route's label goes: its middle.
pub fn route_middle(route: &[(f64, f64)]) -> (f64, f64) {
    match route.len() {
        0 => (0.0, 0.0),
        n if n % 2 == 1 => route[n / 2],
        n => {
            let (a, b) = (route[n / 2 - 1], route[n / 2]);
            ((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0)
        }
    }
}
