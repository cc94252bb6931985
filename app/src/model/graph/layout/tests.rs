//! The layout over generated graphs: trees, DAGs, cycles, disconnected parts and
//! clusters, in every direction. These tests also run compiled to wasm (see the README).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

/// A small seeded generator (xorshift), so that every run draws the same graphs.
struct Seeded(u64);

impl Seeded {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A generated graph: sizes, edges, clusters.
struct Case {
    name: String,
    sizes: Vec<(f64, f64)>,
    edges: Vec<(usize, usize)>,
    clusters: Vec<Option<usize>>,
}

impl Case {
    /// Laid out in `direction`.
    fn drawn(&self, direction: Direction) -> Layout {
        layout(
            &self.sizes,
            &self.edges,
            &self.clusters,
            &[],
            direction,
            72.0,
        )
    }
}

fn sizes(random: &mut Seeded, n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|_| {
            (
                60.0 + random.below(120) as f64,
                30.0 + random.below(30) as f64,
            )
        })
        .collect()
}

fn tree(random: &mut Seeded, n: usize, first: usize) -> Vec<(usize, usize)> {
    (1..n)
        .map(|v| (first + random.below(v), first + v))
        .collect()
}

fn cases() -> Vec<Case> {
    let mut random = Seeded(0x5eed_cafe);
    let mut cases = Vec::new();
    for round in 0..6 {
        let n = 8 + round * 9;
        let sizes_now = sizes(&mut random, n);
        cases.push(Case {
            name: format!("tree of {n}"),
            sizes: sizes_now.clone(),
            edges: tree(&mut random, n, 0),
            clusters: Vec::new(),
        });
        let dag: Vec<(usize, usize)> = (0..2 * n)
            .map(|_| {
                let a = random.below(n - 1);
                (a, a + 1 + random.below(n - a - 1))
            })
            .collect();
        cases.push(Case {
            name: format!("DAG of {n}"),
            sizes: sizes_now.clone(),
            edges: dag.clone(),
            clusters: Vec::new(),
        });
        let cyclic: Vec<(usize, usize)> = (0..2 * n)
            .map(|_| (random.below(n), random.below(n)))
            .collect();
        cases.push(Case {
            name: format!("cyclic graph of {n}"),
            sizes: sizes_now.clone(),
            edges: cyclic,
            clusters: Vec::new(),
        });
        let half = n / 2;
        let mut parts = tree(&mut random, half, 0);
        parts.extend(tree(&mut random, n - half, half));
        cases.push(Case {
            name: format!("two trees of {n}"),
            sizes: sizes_now.clone(),
            edges: parts,
            clusters: Vec::new(),
        });
        let groups = 1 + round;
        cases.push(Case {
            name: format!("DAG of {n} in {groups} clusters"),
            sizes: sizes_now,
            edges: dag,
            clusters: (0..n)
                .map(|v| (v % 4 != 3).then(|| v * groups / n))
                .collect(),
        });
    }
    cases
}

const DIRECTIONS: [Direction; 4] = [
    Direction::Down,
    Direction::Up,
    Direction::Right,
    Direction::Left,
];

fn overlap(a: &Placed, b: &Placed) -> bool {
    (a.x - b.x).abs() < (a.width + b.width) / 2.0 - 0.01
        && (a.y - b.y).abs() < (a.height + b.height) / 2.0 - 0.01
}

/// Whether `(x, y)` lies on `p`'s border.
fn on_border(p: &Placed, (x, y): (f64, f64)) -> bool {
    let (dx, dy) = ((x - p.x).abs(), (y - p.y).abs());
    let inside = dx <= p.width / 2.0 + 0.01 && dy <= p.height / 2.0 + 0.01;
    let edge = (dx - p.width / 2.0).abs() < 0.01 || (dy - p.height / 2.0).abs() < 0.01;
    inside && edge
}

#[test]
fn nodes_never_overlap_and_edges_end_at_their_nodes() {
    for case in cases() {
        for direction in DIRECTIONS {
            let drawn = case.drawn(direction);
            let what = format!("{} {direction:?}", case.name);
            for (i, a) in drawn.places.iter().enumerate() {
                assert_eq!(
                    (a.width, a.height),
                    case.sizes[i],
                    "{what}: node {i} keeps its size"
                );
                assert!(
                    a.x - a.width / 2.0 >= -0.01 && a.y - a.height / 2.0 >= -0.01,
                    "{what}"
                );
                assert!(
                    a.x + a.width / 2.0 <= drawn.size.0 + 0.01,
                    "{what}: inside the width"
                );
                assert!(
                    a.y + a.height / 2.0 <= drawn.size.1 + 0.01,
                    "{what}: inside the height"
                );
                for (j, b) in drawn.places.iter().enumerate().skip(i + 1) {
                    assert!(
                        !overlap(a, b),
                        "{what}: node {i} {a:?} overlaps node {j} {b:?}"
                    );
                }
            }
            for (route, &(from, to)) in drawn.routes.iter().zip(&case.edges) {
                if from == to {
                    assert!(route.is_empty());
                    continue;
                }
                assert!(route.len() >= 2, "{what}");
                assert!(
                    on_border(&drawn.places[from], route[0]),
                    "{what}: {from}→{to} starts at {from}"
                );
                assert!(
                    on_border(&drawn.places[to], route[route.len() - 1]),
                    "{what}: {from}→{to} ends at {to}"
                );
            }
        }
    }
}

#[test]
fn edges_run_the_given_way_unless_they_close_a_cycle() {
    for case in cases()
        .into_iter()
        .filter(|c| !c.name.starts_with("cyclic"))
    {
        for direction in DIRECTIONS {
            let drawn = case.drawn(direction);
            for route in &drawn.routes {
                for step in route.windows(2) {
                    let (a, b) = (step[0], step[1]);
                    let forward = match direction {
                        Direction::Down => b.1 > a.1,
                        Direction::Up => b.1 < a.1,
                        Direction::Right => b.0 > a.0,
                        Direction::Left => b.0 < a.0,
                    };
                    assert!(forward, "{} {direction:?}: {a:?} → {b:?}", case.name);
                }
            }
        }
    }
}

#[test]
fn ordering_crosses_no_more_than_the_first_order_and_trees_not_at_all() {
    for case in cases() {
        let (graph, _, _) = layered(&case.sizes, &case.edges, &case.clusters, &[], false);
        let rank_count = graph.rank.iter().map(|&r| r + 1).max().unwrap_or(0);
        let ordered = order::crossings(&graph, &order::order(&graph, rank_count));
        let mut first = order::first_order(&graph, rank_count);
        order::group(&graph, &mut first);
        let baseline = order::crossings(&graph, &first);
        assert!(ordered <= baseline, "{}: {ordered} > {baseline}", case.name);
        if case.name.contains("tree") {
            assert_eq!(ordered, 0, "{}", case.name);
        }
    }
    // Two edges drawn crossing are uncrossed.
    let sizes = [(40.0, 20.0); 4];
    let (graph, _, _) = layered(&sizes, &[(0, 3), (1, 2)], &[], &[], false);
    assert_eq!(order::crossings(&graph, &order::order(&graph, 2)), 0);
}

#[test]
fn clusters_hold_their_nodes_and_nothing_else() {
    for case in cases().into_iter().filter(|c| !c.clusters.is_empty()) {
        for direction in DIRECTIONS {
            let drawn = case.drawn(direction);
            let what = format!("{} {direction:?}", case.name);
            for (v, place) in drawn.places.iter().enumerate() {
                for (c, cluster) in drawn.clusters.iter().enumerate() {
                    let cluster = cluster.expect("every cluster has nodes");
                    let inside = (place.x - cluster.x).abs() + place.width / 2.0
                        <= cluster.width / 2.0 + 0.01
                        && (place.y - cluster.y).abs() + place.height / 2.0
                            <= cluster.height / 2.0 + 0.01;
                    if case.clusters[v] == Some(c) {
                        assert!(inside, "{what}: node {v} lies in its cluster {c}");
                    } else {
                        assert!(
                            !overlap(place, &cluster),
                            "{what}: node {v} {place:?} intrudes on cluster {c} {cluster:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn the_same_input_gives_the_same_picture() {
    for case in cases() {
        let first = case.drawn(Direction::Right);
        let again = case.drawn(Direction::Right);
        assert_eq!(first, again, "{}", case.name);
    }
}

#[test]
fn long_edges_bend_through_their_ranks_and_small_graphs_read_as_expected() {
    // a → b → c → d and a → d: the long edge passes ranks 1 and 2.
    let sizes = [(80.0, 40.0); 4];
    let drawn = layout(
        &sizes,
        &[(0, 1), (1, 2), (2, 3), (0, 3)],
        &[],
        &[],
        Direction::Down,
        56.0,
    );
    assert_eq!(drawn.routes[3].len(), 4);
    let p = &drawn.places;
    assert!(p[0].y < p[1].y && p[1].y < p[2].y && p[2].y < p[3].y);
    // A diamond: the two middle nodes side by side, the ends centred between them.
    let drawn = layout(
        &sizes,
        &[(0, 1), (0, 2), (1, 3), (2, 3)],
        &[],
        &[],
        Direction::Down,
        56.0,
    );
    let p = &drawn.places;
    assert_eq!(p[1].y, p[2].y);
    assert!((p[1].x - p[2].x).abs() >= 80.0 + position::NODE_GAP - 0.01);
    assert!((p[0].x - (p[1].x + p[2].x) / 2.0).abs() < 0.5, "{p:?}");
    assert!((p[3].x - p[0].x).abs() < 0.5);
}

#[test]
fn hints_keep_nodes_in_the_order_they_had() {
    // Three children of one parent: any order crosses nothing, so the hints decide it.
    let sizes = [(80.0, 40.0); 4];
    let edges = [(0, 1), (0, 2), (0, 3)];
    let first = layout(&sizes, &edges, &[], &[], Direction::Down, 56.0);
    let order = |drawn: &Layout| {
        let mut children = vec![1, 2, 3];
        children.sort_by(|&a, &b| drawn.places[a].x.total_cmp(&drawn.places[b].x));
        children
    };
    assert_eq!(order(&first), [1, 2, 3]);
    let hints = [None, Some(300.0), Some(200.0), Some(100.0)];
    let again = layout(&sizes, &edges, &[], &hints, Direction::Down, 56.0);
    assert_eq!(order(&again), [3, 2, 1]);
    // A node without a hint stays after the one it followed.
    let partly = [None, Some(300.0), None, Some(100.0)];
    let third = layout(&sizes, &edges, &[], &partly, Direction::Down, 56.0);
    assert_eq!(order(&third), [3, 1, 2]);
}
