//! A layered ("Sugiyama") layout, as dagre draws: each node gets a rank (the longest
//! path of edges leading to it, cycles broken), nodes in a rank are ordered by the mean
//! position of their neighbours to keep edges from crossing, and ranks are laid out
//! top to bottom or left to right.

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

/// Space between nodes of a rank.
const NODE_GAP: f64 = 32.0;
/// Ordering sweeps, down and up.
const SWEEPS: usize = 4;

/// Places nodes of the given `sizes` (width, height) joined by `edges` (indexes),
/// running in `direction`, with `rank_gap` between ranks (room for edge labels).
/// Returns each node's place and the drawing's size.
pub fn layout(
    sizes: &[(f64, f64)],
    edges: &[(usize, usize)],
    direction: Direction,
    rank_gap: f64,
) -> (Vec<Placed>, (f64, f64)) {
    let n = sizes.len();
    let ranks = ranks(n, edges);
    let rank_count = ranks.iter().copied().max().map_or(0, |r| r + 1);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); rank_count];
    for (node, &rank) in ranks.iter().enumerate() {
        layers[rank].push(node);
    }
    order(&mut layers, edges, &ranks);
    let across = |(w, h): (f64, f64)| match direction {
        Direction::Down | Direction::Up => (w, h),
        Direction::Right | Direction::Left => (h, w),
    };
    // Lay out with ranks along y and nodes along x, then turn.
    let mut places = vec![Placed::default(); n];
    let widths: Vec<f64> = layers
        .iter()
        .map(|layer| {
            layer.iter().map(|&v| across(sizes[v]).0).sum::<f64>()
                + NODE_GAP * layer.len().saturating_sub(1) as f64
        })
        .collect();
    let total_width = widths.iter().copied().fold(0.0, f64::max);
    let mut y = 0.0;
    for (layer, width) in layers.iter().zip(&widths) {
        let depth = layer
            .iter()
            .map(|&v| across(sizes[v]).1)
            .fold(0.0, f64::max);
        let mut x = (total_width - width) / 2.0;
        for &v in layer {
            let (w, h) = across(sizes[v]);
            places[v] = Placed {
                x: x + w / 2.0,
                y: y + depth / 2.0,
                width: w,
                height: h,
            };
            x += w + NODE_GAP;
        }
        y += depth + rank_gap;
    }
    let total_depth = (y - rank_gap).max(0.0);
    for (place, &(w, h)) in places.iter_mut().zip(sizes) {
        let (x, y) = (place.x, place.y);
        *place = match direction {
            Direction::Down => Placed {
                x,
                y,
                width: w,
                height: h,
            },
            Direction::Up => Placed {
                x,
                y: total_depth - y,
                width: w,
                height: h,
            },
            Direction::Right => Placed {
                x: y,
                y: x,
                width: w,
                height: h,
            },
            Direction::Left => Placed {
                x: total_depth - y,
                y: x,
                width: w,
                height: h,
            },
        };
    }
    let size = match direction {
        Direction::Down | Direction::Up => (total_width, total_depth),
        Direction::Right | Direction::Left => (total_depth, total_width),
    };
    (places, size)
}

/// Each node's rank: the longest path to it from a node nothing leads to, with edges
/// that close a cycle left out.
fn ranks(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let forward = acyclic(n, edges);
    let mut incoming = vec![0usize; n];
    for &(_, to) in &forward {
        incoming[to] += 1;
    }
    let mut rank = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&v| incoming[v] == 0).collect();
    ready.reverse();
    while let Some(v) = ready.pop() {
        for &(from, to) in forward.iter().filter(|(from, _)| *from == v) {
            rank[to] = rank[to].max(rank[from] + 1);
            incoming[to] -= 1;
            if incoming[to] == 0 {
                ready.push(to);
            }
        }
    }
    rank
}

/// `edges` without those that close a cycle (found by a depth-first search in the
/// nodes' order) and without self-loops.
fn acyclic(n: usize, edges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut marks = vec![Mark::New; n];
    let mut kept = Vec::new();
    for start in 0..n {
        if marks[start] != Mark::New {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        marks[start] = Mark::Open;
        while let Some((v, next)) = stack.pop() {
            let out: Vec<usize> = edges
                .iter()
                .filter(|(f, _)| *f == v)
                .map(|&(_, t)| t)
                .collect();
            if next < out.len() {
                stack.push((v, next + 1));
                let to = out[next];
                match marks[to] {
                    Mark::New => {
                        kept.push((v, to));
                        marks[to] = Mark::Open;
                        stack.push((to, 0));
                    }
                    Mark::Done => kept.push((v, to)),
                    Mark::Open => {}
                }
            } else {
                marks[v] = Mark::Done;
            }
        }
    }
    kept.sort_unstable();
    kept.dedup();
    kept
}

/// Orders each rank by the mean position of its nodes' neighbours in the rank before
/// (sweeping down) or after (sweeping up).
fn order(layers: &mut [Vec<usize>], edges: &[(usize, usize)], ranks: &[usize]) {
    let mut position = vec![0.0; ranks.len()];
    let remember = |layers: &[Vec<usize>], position: &mut [f64]| {
        for layer in layers {
            for (i, &v) in layer.iter().enumerate() {
                position[v] = i as f64;
            }
        }
    };
    remember(layers, &mut position);
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let indexes: Vec<usize> = if down {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for r in indexes {
            let neighbour_rank = if down { r - 1 } else { r + 1 };
            let mut keyed: Vec<(f64, usize)> = layers[r]
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let near: Vec<f64> = edges
                        .iter()
                        .filter_map(|&(a, b)| match (a == v, b == v) {
                            (true, _) if ranks[b] == neighbour_rank => Some(position[b]),
                            (_, true) if ranks[a] == neighbour_rank => Some(position[a]),
                            _ => None,
                        })
                        .collect();
                    let key = if near.is_empty() {
                        i as f64
                    } else {
                        near.iter().sum::<f64>() / near.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            layers[r] = keyed.into_iter().map(|(_, v)| v).collect();
            remember(layers, &mut position);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_the_longest_path_and_cycles_are_broken() {
        // a → b → c, a → c, c → a (a cycle).
        assert_eq!(ranks(3, &[(0, 1), (1, 2), (0, 2), (2, 0)]), [0, 1, 2]);
        assert_eq!(ranks(2, &[(0, 0)]), [0, 0]);
    }

    #[test]
    fn nodes_do_not_overlap_and_edges_run_the_given_way() {
        let sizes = [(80.0, 40.0); 4];
        let edges = [(0, 1), (0, 2), (1, 3), (2, 3)];
        let (down, (width, height)) = layout(&sizes, &edges, Direction::Down, 56.0);
        assert!(down[0].y < down[1].y && down[1].y < down[3].y);
        assert_eq!(down[1].y, down[2].y);
        assert!((down[1].x - down[2].x).abs() >= 80.0 + NODE_GAP);
        assert!(width >= 2.0 * 80.0 + NODE_GAP && height >= 3.0 * 40.0);
        let (right, _) = layout(&sizes, &edges, Direction::Right, 56.0);
        assert!(right[0].x < right[1].x && right[1].x < right[3].x);
        let (up, _) = layout(&sizes, &edges, Direction::Up, 56.0);
        assert!(up[0].y > up[3].y);
    }

    #[test]
    fn ordering_uncrosses_edges() {
        // a → d, b → c: drawn as given the edges cross; ordered, they do not.
        let sizes = [(40.0, 20.0); 4];
        let (placed, _) = layout(&sizes, &[(0, 3), (1, 2)], Direction::Down, 56.0);
        assert!(placed[0].x < placed[1].x);
        assert!(placed[3].x < placed[2].x);
    }
}
