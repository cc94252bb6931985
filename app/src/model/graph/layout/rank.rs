//! Ranks: cycles broken by turning the edges that close them, each node placed one rank
//! below the lowest of the nodes that lead to it (the longest path), and nodes nothing
//! leads to moved down next to the first node they lead to, so that they do not all
//! crowd the top rank with long edges down.

/// Which `edges` close a cycle (found by a depth-first search in the nodes' order): the
/// layout turns them round. Self-loops are not counted here; they have no rank to span.
pub(super) fn reversed(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, &(from, to)) in edges.iter().enumerate() {
        if from != to {
            out[from].push(e);
        }
    }
    let mut turned = vec![false; edges.len()];
    let mut marks = vec![Mark::New; n];
    for start in 0..n {
        if marks[start] != Mark::New {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        marks[start] = Mark::Open;
        while let Some(&(v, next)) = stack.last() {
            if let Some(&e) = out[v].get(next) {
                if let Some(top) = stack.last_mut() {
                    top.1 += 1;
                }
                let to = edges[e].1;
                match marks[to] {
                    Mark::New => {
                        marks[to] = Mark::Open;
                        stack.push((to, 0));
                    }
                    Mark::Open => turned[e] = true,
                    Mark::Done => {}
                }
            } else {
                marks[v] = Mark::Done;
                stack.pop();
            }
        }
    }
    turned
}

/// Each node's rank over the acyclic `edges` (self-loops left out by the caller).
pub(super) fn ranks(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut incoming = vec![0usize; n];
    for &(from, to) in edges {
        out[from].push(to);
        incoming[to] += 1;
    }
    let sources: Vec<bool> = incoming.iter().map(|&i| i == 0).collect();
    let mut rank = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).rev().filter(|&v| incoming[v] == 0).collect();
    let mut topological = Vec::with_capacity(n);
    while let Some(v) = ready.pop() {
        topological.push(v);
        for &to in &out[v] {
            rank[to] = rank[to].max(rank[v] + 1);
            incoming[to] -= 1;
            if incoming[to] == 0 {
                ready.push(to);
            }
        }
    }
    // A source sits just above the nearest node it leads to.
    for &v in topological.iter().rev() {
        if sources[v] {
            if let Some(nearest) = out[v].iter().map(|&to| rank[to]).min() {
                rank[v] = nearest - 1;
            }
        }
    }
    rank
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn cycles_are_turned_and_ranks_follow_the_longest_path() {
        // a → b → c, a → c, c → a (closes a cycle).
        let edges = [(0, 1), (1, 2), (0, 2), (2, 0)];
        assert_eq!(reversed(3, &edges), [false, false, false, true]);
        assert_eq!(ranks(3, &edges[..3]), [0, 1, 2]);
        assert_eq!(reversed(1, &[(0, 0)]), [false]);
    }

    #[test]
    fn sources_sit_next_to_what_they_lead_to() {
        // a → b → c → d, and e → d: e goes one rank above d, not to the top.
        let ranks = ranks(5, &[(0, 1), (1, 2), (2, 3), (4, 3)]);
        assert_eq!(ranks, [0, 1, 2, 3, 2]);
    }
}
