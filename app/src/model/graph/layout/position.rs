//! Where each node sits across its rank. Ranks start packed; then, rank by rank, sweeping
//! down and up, each node is pulled towards the mean place of its neighbours in the
//! rank before, as far as the order and the gaps between nodes allow: the closest such
//! placement (least squares) is found exactly by pooling adjacent violators. The dummy
//! nodes of long edges pull harder, so long edges run straight. Last, each cluster's
//! sides are lined up from rank to rank, moving what is in the way, so that its box
//! holds its nodes and nothing else.

use super::Layered;

/// Between two boxes of a rank.
pub(super) const NODE_GAP: f64 = 32.0;
/// Between an edge passing through a rank and anything beside it.
const EDGE_GAP: f64 = 14.0;
/// Between a cluster's box and what it holds.
pub(super) const CLUSTER_PAD: f64 = 20.0;
/// Pulling sweeps (alternately down and up; the last two pull from both sides).
const PASSES: usize = 8;
/// How much harder an edge's dummy node pulls than a box.
const DUMMY_WEIGHT: f64 = 4.0;

/// Each node's centre across the ranks, the leftmost edge at 0.
pub(super) fn across(graph: &Layered, layers: &[Vec<usize>]) -> Vec<f64> {
    let mut x = vec![0.0; graph.rank.len()];
    let widest = layers
        .iter()
        .map(|layer| packed(graph, layer, &mut x))
        .fold(0.0, f64::max);
    // Centre the packed ranks on the widest.
    for layer in layers {
        let (Some(&first), Some(&last)) = (layer.first(), layer.last()) else {
            continue;
        };
        let width = x[last] + graph.across[last] / 2.0 - (x[first] - graph.across[first] / 2.0);
        for &v in layer {
            x[v] += (widest - width) / 2.0;
        }
    }
    for pass in 0..PASSES {
        let down = pass % 2 == 0;
        let both = pass + 2 >= PASSES;
        let ranks: Vec<usize> = if down {
            (0..layers.len()).collect()
        } else {
            (0..layers.len()).rev().collect()
        };
        for r in ranks {
            let wanted: Vec<(f64, f64)> = layers[r]
                .iter()
                .map(|&v| {
                    let near: &[usize] = if down { &graph.up[v] } else { &graph.down[v] };
                    let others: &[usize] = if both {
                        if down {
                            &graph.down[v]
                        } else {
                            &graph.up[v]
                        }
                    } else {
                        &[]
                    };
                    let count = near.len() + others.len();
                    let weight = if v >= graph.real { DUMMY_WEIGHT } else { 1.0 };
                    if count == 0 {
                        (x[v], weight * 0.25)
                    } else {
                        let sum: f64 = near.iter().chain(others).map(|&u| x[u]).sum();
                        (sum / count as f64, weight)
                    }
                })
                .collect();
            let placed = closest(graph, &layers[r], &wanted);
            for (&v, at) in layers[r].iter().zip(placed) {
                x[v] = at;
            }
        }
    }
    line_up_clusters(graph, layers, &mut x);
    let left = (0..x.len())
        .map(|v| x[v] - graph.across[v] / 2.0)
        .fold(f64::INFINITY, f64::min);
    if left.is_finite() {
        for at in &mut x {
            *at -= left;
        }
    }
    x
}

/// The least distance between the centres of neighbours `a` and `b` in a rank.
fn separation(graph: &Layered, a: usize, b: usize) -> f64 {
    let dummy = |v: usize| v >= graph.real && graph.side[v] == 0;
    let gap = match (graph.side[a], graph.side[b]) {
        // Inside a cluster's box, from its sides.
        (-1, _) | (_, 1) => CLUSTER_PAD,
        // Outside a box.
        (1, _) | (_, -1) if dummy(a) || dummy(b) => EDGE_GAP,
        (1, _) | (_, -1) => NODE_GAP / 2.0,
        _ if dummy(a) || dummy(b) => EDGE_GAP,
        _ => NODE_GAP,
    };
    (graph.across[a] + graph.across[b]) / 2.0 + gap
}

/// Packs `layer` from 0; returns its width.
fn packed(graph: &Layered, layer: &[usize], x: &mut [f64]) -> f64 {
    let Some(&first) = layer.first() else {
        return 0.0;
    };
    x[first] = graph.across[first] / 2.0;
    for pair in layer.windows(2) {
        x[pair[1]] = x[pair[0]] + separation(graph, pair[0], pair[1]);
    }
    let last = layer[layer.len() - 1];
    x[last] + graph.across[last] / 2.0
}

/// The places for `layer`, in its order and separated, closest (weighted least squares)
/// to the `wanted` (place, weight) pairs.
fn closest(graph: &Layered, layer: &[usize], wanted: &[(f64, f64)]) -> Vec<f64> {
    // With each place less its offset from the first, the places only have to be
    // non-decreasing: an isotonic regression, solved by pooling adjacent violators.
    let mut offsets = Vec::with_capacity(layer.len());
    let mut offset = 0.0;
    for (i, &v) in layer.iter().enumerate() {
        if i > 0 {
            offset += separation(graph, layer[i - 1], v);
        }
        offsets.push(offset);
    }
    // Blocks of (weight, weighted sum, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::new();
    for (&(at, weight), offset) in wanted.iter().zip(&offsets) {
        blocks.push((weight, weight * (at - offset), 1));
        while blocks.len() > 1 {
            let (w2, s2, n2) = blocks[blocks.len() - 1];
            let (w1, s1, n1) = blocks[blocks.len() - 2];
            if s1 / w1 <= s2 / w2 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (w1 + w2, s1 + s2, n1 + n2);
        }
    }
    let mut placed = Vec::with_capacity(layer.len());
    for (weight, sum, count) in blocks {
        for _ in 0..count {
            placed.push(sum / weight + offsets[placed.len()]);
        }
    }
    placed
}

/// Makes each cluster's sides line up from rank to rank, so that its box holds its nodes
/// and nothing else: all its left sides share one place (the leftmost), and so do its
/// right sides; then, in the order the ranks' constraints give, anything closer to its
/// left neighbour than the gap between them allows moves right.
fn line_up_clusters(graph: &Layered, layers: &[Vec<usize>], x: &mut [f64]) {
    if graph.cluster_count == 0 {
        return;
    }
    let nodes = graph.rank.len();
    let var = |v: usize| match graph.side[v] {
        0 => v,
        side => nodes + 2 * graph.cluster[v].unwrap_or(0) + usize::from(side > 0),
    };
    let count = nodes + 2 * graph.cluster_count;
    let mut value: Vec<f64> = (0..count)
        .map(|i| x.get(i).copied().unwrap_or(0.0))
        .collect();
    for c in 0..graph.cluster_count {
        value[nodes + 2 * c] = f64::INFINITY;
        value[nodes + 2 * c + 1] = f64::NEG_INFINITY;
    }
    for v in graph.real..nodes {
        match graph.side[v] {
            -1 => value[var(v)] = value[var(v)].min(x[v]),
            1 => value[var(v)] = value[var(v)].max(x[v]),
            _ => {}
        }
    }
    let mut after: Vec<Vec<(usize, f64)>> = vec![Vec::new(); count];
    let mut before = vec![0usize; count];
    for layer in layers {
        for pair in layer.windows(2) {
            after[var(pair[0])].push((var(pair[1]), separation(graph, pair[0], pair[1])));
            before[var(pair[1])] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..count).filter(|&i| before[i] == 0).collect();
    let mut done = 0;
    while let Some(i) = ready.pop() {
        done += 1;
        for &(j, gap) in &after[i] {
            value[j] = value[j].max(value[i] + gap);
            before[j] -= 1;
            if before[j] == 0 {
                ready.push(j);
            }
        }
    }
    if done < count {
        // The clusters' order differs between ranks (it should not): leave them be.
        return;
    }
    for (v, at) in x.iter_mut().enumerate() {
        *at = value[var(v)];
    }
}
