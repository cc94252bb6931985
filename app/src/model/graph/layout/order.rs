//! The order of nodes within each rank: a first order from a depth-first walk, then
//! sweeps down and up the ranks that sort each rank by the mean position of its nodes'
//! neighbours in the rank just swept (the barycentre heuristic), keeping the order that
//! crosses fewest edges. A cluster's nodes stay together, and clusters keep one order
//! across ranks (each is sorted by the mean position of all its nodes), so that their
//! boxes can be drawn around them.

use super::Layered;

/// Sweeps at most; fewer when the crossings stop going down.
const MAX_SWEEPS: usize = 16;
/// Sweeps without fewer crossings before giving up.
const PATIENCE: usize = 4;

/// Each rank's nodes, left to right.
pub(super) fn order(graph: &Layered, rank_count: usize) -> Vec<Vec<usize>> {
    let mut layers = first_order(graph, rank_count);
    follow_hints(graph, &mut layers);
    group(graph, &mut layers);
    let mut best = layers.clone();
    let mut fewest = crossings(graph, &layers);
    let mut idle = 0;
    for sweep in 0..MAX_SWEEPS {
        if fewest == 0 || idle >= PATIENCE {
            break;
        }
        sweep_once(graph, &mut layers, sweep % 2 == 0);
        let now = crossings(graph, &layers);
        if now < fewest {
            fewest = now;
            best.clone_from(&layers);
            idle = 0;
        } else {
            idle += 1;
        }
    }
    best
}

/// Nodes in the order a depth-first walk down the edges meets them, starting from the
/// top ranks: connected nodes start out near each other.
pub(super) fn first_order(graph: &Layered, rank_count: usize) -> Vec<Vec<usize>> {
    let n = graph.rank.len();
    let mut starts: Vec<usize> = (0..n).collect();
    starts.sort_by_key(|&v| (graph.rank[v], v));
    let mut seen = vec![false; n];
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); rank_count];
    let mut stack = Vec::new();
    for start in starts {
        if seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        while let Some(v) = stack.pop() {
            layers[graph.rank[v]].push(v);
            for &next in graph.down[v].iter().rev() {
                if !seen[next] {
                    seen[next] = true;
                    stack.push(next);
                }
            }
        }
    }
    layers
}

/// Sorts each rank by the nodes' hints (where they were in an earlier drawing), so that a
/// graph drawn again keeps its nodes in their order as far as crossings allow; a node
/// without a hint stays after the hinted node it followed.
fn follow_hints(graph: &Layered, layers: &mut [Vec<usize>]) {
    if graph.hint.iter().all(Option::is_none) {
        return;
    }
    for layer in layers {
        let mut last = f64::NEG_INFINITY;
        let mut keyed: Vec<(f64, usize)> = layer
            .iter()
            .map(|&v| {
                if let Some(hint) = graph.hint.get(v).copied().flatten() {
                    last = hint;
                }
                (last, v)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (slot, (_, v)) in layer.iter_mut().zip(keyed) {
            *slot = v;
        }
    }
}

/// Sorts each rank so that every cluster's nodes lie together between its sides, the
/// clusters in one order in every rank; otherwise the order is kept.
pub(super) fn group(graph: &Layered, layers: &mut [Vec<usize>]) {
    let at = fractions(graph, layers);
    let cluster_at = cluster_places(graph, &at);
    for layer in layers {
        sort_rank(graph, layer, &cluster_at, |v| at[v], &at);
    }
}

/// Sorts `layer` by each node's `key`, a cluster's nodes together at the cluster's place,
/// between its sides; ties keep the order of `at`.
fn sort_rank(
    graph: &Layered,
    layer: &mut [usize],
    cluster_at: &[f64],
    key: impl Fn(usize) -> f64,
    at: &[f64],
) {
    let mut keyed: Vec<(f64, usize, i8, f64, f64, usize)> = layer
        .iter()
        .map(|&v| {
            let own = key(v);
            match graph.cluster[v] {
                Some(c) => (cluster_at[c], c, graph.side[v], own, at[v], v),
                None => (own, usize::MAX, 0, own, at[v], v),
            }
        })
        .collect();
    keyed.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.total_cmp(&b.3))
            .then(a.4.total_cmp(&b.4))
            .then(a.5.cmp(&b.5))
    });
    for (slot, k) in layer.iter_mut().zip(keyed) {
        *slot = k.5;
    }
}

/// Each node's place in its rank as a fraction of the rank's width (ranks of different
/// lengths compare).
fn fractions(graph: &Layered, layers: &[Vec<usize>]) -> Vec<f64> {
    let mut at = vec![0.0; graph.rank.len()];
    for layer in layers {
        for (i, &v) in layer.iter().enumerate() {
            at[v] = (i as f64 + 0.5) / layer.len() as f64;
        }
    }
    at
}

/// One sweep, down (each rank sorted by its neighbours above) or up.
fn sweep_once(graph: &Layered, layers: &mut [Vec<usize>], down: bool) {
    let mut at = fractions(graph, layers);
    let cluster_at = cluster_places(graph, &at);
    let ranks: Vec<usize> = if down {
        (1..layers.len()).collect()
    } else {
        (0..layers.len().saturating_sub(1)).rev().collect()
    };
    for r in ranks {
        let near = if down { &graph.up } else { &graph.down };
        let key = |v: usize| {
            if near[v].is_empty() {
                at[v]
            } else {
                near[v].iter().map(|&u| at[u]).sum::<f64>() / near[v].len() as f64
            }
        };
        sort_rank(graph, &mut layers[r], &cluster_at, key, &at);
        let len = layers[r].len() as f64;
        for (i, &v) in layers[r].iter().enumerate() {
            at[v] = (i as f64 + 0.5) / len;
        }
    }
}

/// Each cluster's mean place over all its nodes.
fn cluster_places(graph: &Layered, at: &[f64]) -> Vec<f64> {
    let mut sum = vec![(0.0, 0usize); graph.cluster_count];
    for (v, cluster) in graph.cluster.iter().enumerate() {
        if let Some(c) = *cluster {
            sum[c].0 += at[v];
            sum[c].1 += 1;
        }
    }
    sum.into_iter()
        .map(|(s, n)| if n == 0 { 0.0 } else { s / n as f64 })
        .collect()
}

/// How many pairs of edges cross between neighbouring ranks.
pub(super) fn crossings(graph: &Layered, layers: &[Vec<usize>]) -> usize {
    let mut index = vec![0usize; graph.rank.len()];
    for layer in layers {
        for (i, &v) in layer.iter().enumerate() {
            index[v] = i;
        }
    }
    let mut total = 0;
    for pair in layers.windows(2) {
        // Edge ends in the lower rank, in the order of their tops: each pair out of
        // order is a crossing, counted with a Fenwick tree.
        let mut ends = Vec::new();
        for &v in &pair[0] {
            let start = ends.len();
            ends.extend(graph.down[v].iter().map(|&w| index[w]));
            ends[start..].sort_unstable();
        }
        let size = pair[1].len();
        let mut tree = vec![0usize; size + 1];
        for (seen, &end) in ends.iter().enumerate() {
            // Ends seen so far that lie strictly right of this one.
            let mut not_right = 0;
            let mut i = end + 1;
            while i > 0 {
                not_right += tree[i];
                i &= i - 1;
            }
            total += seen - not_right;
            let mut i = end + 1;
            while i <= size {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
    }
    total
}
